import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Actor } from '../../../auth/actor';
import { AuditFeed } from './audit-feed.service';
import { AuditReplay } from './audit-replay.query';
import { EventPresenter } from './event-presenter.service';
import type { EventFilter } from './event-filter';
import { DEFAULT_STREAM_OPTIONS, EventSource, EventStream } from './event-stream';

/**
 * Opens event streams on this server's feed, audit table and presenter, and ends them when the
 * server stops (an open stream would otherwise hold the HTTP server's close forever).
 */
@Injectable()
export class EventStreams implements BeforeApplicationShutdown {
  private readonly source: EventSource;
  private open = new Set<EventStream>();

  constructor(feed: AuditFeed, replay: AuditReplay, presenter: EventPresenter) {
    this.source = {
      subscribe: (listener) => feed.subscribe(listener),
      position: () => feed.position,
      replay: (after, upTo, filter, limit) => replay.page(after, upTo, filter.requestId, limit),
      present: (record) => presenter.present(record),
    };
  }

  /** Streams open now (diagnostics, and tests of the clean-up). */
  get count(): number {
    return this.open.size;
  }

  beforeApplicationShutdown(): void {
    for (const stream of this.open) stream.shutDown();
    this.open.clear();
  }

  async stream(
    response: ServerResponse,
    actor: Actor,
    filter: EventFilter,
    since: number | null,
  ): Promise<void> {
    const stream = new EventStream(response, this.source, actor, filter, DEFAULT_STREAM_OPTIONS);
    this.open.add(stream);
    response.on('close', () => this.open.delete(stream));
    await stream.start(since);
  }
}
