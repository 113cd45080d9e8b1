import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator';
import type { Actor } from '../../../auth/actor';
import { Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';
import { Clock } from '../../../common/clock';
import { clampLimit } from '../../../common/list-query';
import { EventPresenter } from '../events/event-presenter.service';
import { parseTypes } from '../events/event-filter';
import { AuditLog } from './audit-log.query';
import { AuditPageDto } from './audit-page.dto';
import { AuditQueryDto } from './audit-query.dto';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';
import { parseSince } from './audit-since';

/** `GET /api/v2/audit`: who did what, newest first (docs/events.md). */
@ApiTags('events')
@ApiBearerAuth()
@ApiProblems(400, 401, 403)
@Controller('api/v2/audit')
export class AuditController {
  constructor(
    private readonly log: AuditLog,
    private readonly presenter: EventPresenter,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'List audit entries, newest first',
    description:
      'Admins see every entry; testers the entries of their own requests. The entries are the events of the event stream.',
  })
  @ApiOkResponse({ type: AuditPageDto })
  async list(@CurrentActor() actor: Actor, @Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const page = await this.log.list(actor, {
      requestId: query.request ? Number(query.request) : null,
      workerUuid: query.worker ?? null,
      actor: query.actor ?? null,
      types: parseTypes(query.type),
      since: parseSince(query.since, this.clock.now()),
      limit: clampLimit(query.limit),
      before: decodeAuditCursor(query.cursor),
    });
    const items = await Promise.all(
      page.items.map(async (record) => (await this.presenter.present(record)).dto),
    );
    return {
      items,
      nextCursor: page.lastId === null ? null : encodeAuditCursor(page.lastId),
      total: page.total,
    };
  }
}
