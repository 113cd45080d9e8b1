import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Actor } from '../../auth/actor';
import { Authenticated, CurrentActor } from '../../auth/authenticated.decorator';
import { Page } from '../../common/list-query';
import { JobsService } from '../../jobs/jobs.service';
import { RequestDetails, RequestsService } from '../../requests/requests.service';
import { decodeOptional, decodeRequired, V1Body } from './v1-body';
import { jobTimeoutOf, toAccessInfo2, toJsonList, toReqInfo } from './v1-dto.mapper';
import { markListCall } from './v1-exception.filter';
import { instantToDate, mapToCaps, parseRequestId, toRequestListQuery } from './v1-params';
import { jsonReply, listHeaders, NO_CONTENT, requestStateHeaders, writeV1Reply } from './v1-reply';
import { V1IdMismatchError } from './v1.errors';
import {
  ReqInfoBody,
  ReqInfoType,
  RequestsListSpecBody,
  RequestsListSpecType,
} from './wire/boruta.types';

function listReply(page: Page<RequestDetails>) {
  return jsonReply(
    200,
    toJsonList(page.items.map(toReqInfo)),
    listHeaders({ total: page.total, remaining: page.remaining, batch: page.items.length }),
  );
}

/**
 * Upstream's /api/v1/reqs routes over RequestsService. Declaration order is routing order.
 * Any lab user may read; who may change a request is RequestsService's decision (its owner or
 * an admin).
 */
@Controller('api/v1/reqs')
@Authenticated()
export class RequestsV1Controller {
  constructor(
    private readonly requests: RequestsService,
    private readonly jobs: JobsService,
  ) {}

  /** GET|HEAD /reqs/: every request, as a list call without a body. */
  @Get()
  async listAll(
    @Req() req: Request,
    @Res() res: Response,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    markListCall(res);
    const { filter, sort, page } = toRequestListQuery(null);
    writeV1Reply(req, res, listReply(await this.requests.list(filter, sort, page, actor)));
  }

  @Post('list')
  async list(
    @Req() req: Request,
    @Res() res: Response,
    @V1Body() body: Buffer,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    markListCall(res);
    const spec = decodeOptional<RequestsListSpecBody>(RequestsListSpecType, body);
    const { filter, sort, page } = toRequestListQuery(spec);
    writeV1Reply(req, res, listReply(await this.requests.list(filter, sort, page, actor)));
  }

  @Post()
  async create(
    @Req() req: Request,
    @Res() res: Response,
    @V1Body() body: Buffer,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    const info = decodeRequired<ReqInfoBody>(ReqInfoType, body);
    const created = await this.requests.create(
      {
        // Exact caps only, as upstream: the decoder has refused any non-string value with Go's
        // message, so API v2's rules (docs/caps.md) never come in through v1.
        caps: mapToCaps(info.Caps),
        priority: info.Priority,
        claimedGroups: info.Owner.Groups ?? [],
        validAfter: instantToDate(info.ValidAfter),
        deadline: instantToDate(info.Deadline),
      },
      actor,
    );
    writeV1Reply(req, res, jsonReply(201, `{"ReqID":${created.id}}`));
  }

  /** GET|HEAD /reqs/:id; `GET /reqs/list` lands here too, as upstream (400 bad ID). */
  @Get(':id')
  async get(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    // v1 shows no user names: no users query on upstream's status polls.
    const details = await this.requests.get(parseRequestId(id), actor, { ownerName: false });
    writeV1Reply(
      req,
      res,
      jsonReply(
        200,
        toReqInfo(details),
        requestStateHeaders(details.request.state, jobTimeoutOf(details)),
      ),
    );
  }

  /** Update: priority, validAfter, deadline; zero values mean "leave as it is". */
  @Post(':id')
  async update(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @V1Body() body: Buffer,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    const reqId = parseRequestId(id);
    const info = decodeRequired<ReqInfoBody>(ReqInfoType, body);
    if (info.ID !== 0n && info.ID !== BigInt(reqId)) throw new V1IdMismatchError();
    await this.requests.update(
      reqId,
      {
        priority: info.Priority || null,
        validAfter: instantToDate(info.ValidAfter),
        deadline: instantToDate(info.Deadline),
      },
      actor,
    );
    writeV1Reply(req, res, NO_CONTENT);
  }

  @Post(':id/close')
  async close(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.requests.close(parseRequestId(id), actor);
    writeV1Reply(req, res, NO_CONTENT);
  }

  @Post(':id/acquire_worker')
  async acquire(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    const access = await this.jobs.acquire(parseRequestId(id), actor);
    writeV1Reply(req, res, jsonReply(200, toAccessInfo2(access)));
  }

  @Post(':id/prolong')
  async prolong(
    @Req() req: Request,
    @Res() res: Response,
    @Param('id') id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.jobs.prolong(parseRequestId(id), actor);
    writeV1Reply(req, res, NO_CONTENT);
  }
}
