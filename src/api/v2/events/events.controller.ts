import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator';
import type { Response } from 'express';
import type { Actor } from '../../../auth/actor';
import { Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';
import { InvalidInputError } from '../../../common/domain-error';
import { parseEventFilter } from './event-filter';
import { EventStreams } from './event-streams.service';
import { EventsQueryDto } from './events-query.dto';

/** `GET /api/v2/events`: the live stream of domain events (docs/events.md). */
@ApiTags('events')
@ApiBearerAuth()
@ApiProblems(400, 401, 403)
@Controller('api/v2/events')
export class EventsController {
  constructor(private readonly streams: EventStreams) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'Stream domain events (server-sent events)',
    description:
      'Every domain event the caller may see, live. With `Last-Event-ID` (or `since`), the events after that id are replayed first, so a resumed stream misses nothing. A comment line comes every 15 s.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description:
      'Resume: replay the events after this id first (what EventSource sends on reconnecting).',
  })
  @ApiResponse({ status: 200, description: 'The stream (never ends on its own).' })
  async stream(
    @CurrentActor() actor: Actor,
    @Query() query: EventsQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const filter = parseEventFilter(query);
    const since = parseSince(lastEventId, query.since);
    await this.streams.stream(response, actor, filter, since);
  }
}

/** The header wins: an EventSource reconnecting sends it with the URL it first opened. */
function parseSince(header: string | undefined, query: string | undefined): number | null {
  const raw = header?.trim() || query;
  if (raw === undefined || raw === '') return null;
  if (!/^[0-9]{1,16}$/.test(raw))
    throw new InvalidInputError(
      `Last-Event-ID must be an event id (a non-negative integer), got "${raw}"`,
    );
  return Number(raw);
}
