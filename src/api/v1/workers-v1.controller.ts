import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Actor } from '../../auth/actor';
import { Authenticated, CurrentActor } from '../../auth/authenticated.decorator';
import { Page } from '../../common/list-query';
import { WorkerView } from '../../events/domain-event';
import { WorkersService } from '../../workers/workers.service';
import { decodeOptional, decodeRequired, V1Body } from './v1-body';
import { toJsonList, toWorkerInfo } from './v1-dto.mapper';
import { markListCall } from './v1-exception.filter';
import { parseWorkerUuid, toWorkerListQuery } from './v1-params';
import { BorutaHeader, jsonReply, listHeaders, NO_CONTENT, writeV1Reply } from './v1-reply';
import {
  GroupsType,
  WorkersListSpecBody,
  WorkersListSpecType,
  WorkerStatePackBody,
  WorkerStatePackType,
} from './wire/boruta.types';

function listReply(page: Page<WorkerView>) {
  return jsonReply(
    200,
    toJsonList(page.items.map(toWorkerInfo)),
    listHeaders({ total: page.total, remaining: page.remaining, batch: page.items.length }),
  );
}

/** Upstream's /api/v1/workers routes over WorkersService. Declaration order is routing order. */
@Controller('api/v1/workers')
@Authenticated()
export class WorkersV1Controller {
  constructor(private readonly workers: WorkersService) {}

  /** GET|HEAD /workers/: every worker, as a list call without a body. */
  @Get()
  async listAll(@Req() req: Request, @Res() res: Response): Promise<void> {
    markListCall(res);
    const { filter, sort, page } = toWorkerListQuery(null);
    writeV1Reply(req, res, listReply(await this.workers.list(filter, sort, page)));
  }

  @Post('list')
  async list(@Req() req: Request, @Res() res: Response, @V1Body() body: Buffer): Promise<void> {
    markListCall(res);
    const spec = decodeOptional<WorkersListSpecBody>(WorkersListSpecType, body);
    const { filter, sort, page } = toWorkerListQuery(spec);
    writeV1Reply(req, res, listReply(await this.workers.list(filter, sort, page)));
  }

  @Get(':id')
  async get(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const worker = await this.workers.get(parseWorkerUuid(id));
    writeV1Reply(
      req,
      res,
      jsonReply(200, toWorkerInfo(worker), [[BorutaHeader.WorkerState, worker.state]]),
    );
  }

  /** Upstream answers 202 with `null`, which its own client rejects: Leshy answers 204. */
  @Post(':id/setstate')
  @Authenticated({ role: 'admin' })
  async setState(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @V1Body() body: Buffer,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    const uuid = parseWorkerUuid(id);
    const pack = decodeRequired<WorkerStatePackBody>(WorkerStatePackType, body);
    await this.workers.setState(uuid, pack.WorkerState, actor);
    writeV1Reply(req, res, NO_CONTENT);
  }

  @Post(':id/setgroups')
  @Authenticated({ role: 'admin' })
  async setGroups(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @V1Body() body: Buffer,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    const uuid = parseWorkerUuid(id);
    const groups = decodeRequired<string[] | null>(GroupsType, body);
    await this.workers.setGroups(uuid, groups ?? [], actor);
    writeV1Reply(req, res, NO_CONTENT);
  }

  @Post(':id/deregister')
  @Authenticated({ role: 'admin' })
  async deregister(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.workers.deregister(parseWorkerUuid(id), actor);
    writeV1Reply(req, res, NO_CONTENT);
  }
}
