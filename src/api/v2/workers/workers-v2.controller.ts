import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '../../../auth/actor';
import { Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';
import { InvalidInputError } from '../../../common/domain-error';
import type { WorkerView } from '../../../events/domain-event';
import { WorkerHealthService } from '../../../jobs/worker-health.service';
import { WorkersService } from '../../../workers/workers.service';
import { ApiProblems } from '../common/api-problems.decorator';
import { encodeWorkerCursor } from './worker-cursor';
import { toWorkerListSpec } from './worker-list.params';
import { toWorkerDetailDto, toWorkerDto, WorkerDetailDto, WorkerPageDto } from './worker-v2.view';
import { MaintenanceDto, WorkerGroupsDto, WorkerListQueryDto } from './workers-v2.dto';

const UUID = new ParseUUIDPipe({
  exceptionFactory: () => new InvalidInputError('the worker UUID in the path is not a UUID'),
});

/**
 * API v2's workers (docs/api-v2.md, "Workers"): lab users read, admins change. Thin over
 * WorkersService, which checks roles and states; WorkerHealthService adds the job and the
 * health history.
 */
@ApiTags('workers')
@ApiBearerAuth()
@ApiProblems(401, 403)
@Controller('api/v2/workers')
@Authenticated()
export class WorkersV2Controller {
  constructor(
    private readonly workers: WorkersService,
    private readonly health: WorkerHealthService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List workers (filters state, caps, group; cursor pages)' })
  @ApiOkResponse({ type: WorkerPageDto })
  @ApiProblems(400)
  async list(@Query() query: WorkerListQueryDto): Promise<WorkerPageDto> {
    const { filter, page } = toWorkerListSpec(query);
    const found = await this.workers.list(filter, { item: 'uuid', order: 'asc' }, page, 'continue');
    const facts = await this.health.factsOf(found.items.map((w) => w.uuid));
    const last = found.items.at(-1);
    return {
      items: found.items.map((w) => toWorkerDto(w, facts.get(w.uuid)!)),
      nextCursor: last && found.remaining > 0 ? encodeWorkerCursor(last.uuid) : null,
      total: found.total,
    };
  }

  @Get(':uuid')
  @ApiOperation({ summary: 'One worker with its health history of the last day' })
  @ApiOkResponse({ type: WorkerDetailDto })
  @ApiProblems(400, 404)
  async get(@Param('uuid', UUID) uuid: string): Promise<WorkerDetailDto> {
    return this.detail(await this.workers.get(uuid));
  }

  @Post(':uuid/maintenance')
  @HttpCode(200)
  @Authenticated({ role: 'admin' })
  @ApiOperation({
    summary: 'Maintenance with a message for the board; drain lets a running job finish first',
  })
  @ApiOkResponse({ type: WorkerDetailDto })
  @ApiProblems(400, 404)
  async maintenance(
    @Param('uuid', UUID) uuid: string,
    @Body() body: MaintenanceDto,
    @CurrentActor() actor: Actor,
  ): Promise<WorkerDetailDto> {
    return this.detail(await this.workers.orderMaintenance(uuid, body, actor));
  }

  @Post(':uuid/idle')
  @HttpCode(200)
  @Authenticated({ role: 'admin' })
  @ApiOperation({
    summary:
      'Back to service: MAINTENANCE, or FAILED after a passed health check, → PREPARE → IDLE',
  })
  @ApiOkResponse({ type: WorkerDetailDto })
  @ApiProblems(400, 404, 409)
  async idle(
    @Param('uuid', UUID) uuid: string,
    @CurrentActor() actor: Actor,
  ): Promise<WorkerDetailDto> {
    return this.detail(await this.workers.backToService(uuid, actor));
  }

  @Put(':uuid/groups')
  @Authenticated({ role: 'admin' })
  @ApiOperation({ summary: 'Set the groups the worker is reserved for' })
  @ApiOkResponse({ type: WorkerDetailDto })
  @ApiProblems(400, 404)
  async groups(
    @Param('uuid', UUID) uuid: string,
    @Body() body: WorkerGroupsDto,
    @CurrentActor() actor: Actor,
  ): Promise<WorkerDetailDto> {
    return this.detail(await this.workers.setGroups(uuid, body.groups, actor));
  }

  @Delete(':uuid')
  @HttpCode(204)
  @Authenticated({ role: 'admin' })
  @ApiOperation({ summary: 'Deregister (MAINTENANCE or FAILED only); its agent is refused after' })
  @ApiNoContentResponse({ description: 'Deregistered' })
  @ApiProblems(400, 404, 409)
  async deregister(@Param('uuid', UUID) uuid: string, @CurrentActor() actor: Actor): Promise<void> {
    await this.workers.deregister(uuid, actor);
  }

  private async detail(worker: WorkerView): Promise<WorkerDetailDto> {
    const facts = await this.health.factsOf([worker.uuid]);
    return toWorkerDetailDto(worker, facts.get(worker.uuid)!);
  }
}
