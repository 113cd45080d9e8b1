import type { ServerResponse } from 'node:http';
import type { Actor } from '../../../auth/actor';
import type { AuditRecord } from './audit-record';
import type { FeedSubscription } from './audit-feed.service';
import { EventFilter, matchesFilter } from './event-filter';
import type { PresentedEvent } from './event-presenter.service';
import { maySee } from './event-scope';

/** What one stream needs from the server: live records, replayed ones, and their presentation. */
export interface EventSource {
  subscribe(listener: (record: AuditRecord) => void): Promise<FeedSubscription>;
  /** The feed's position now (see AuditFeed). */
  position(): number;
  replay(after: number, upTo: number, filter: EventFilter, limit: number): Promise<AuditRecord[]>;
  present(record: AuditRecord): Promise<PresentedEvent>;
}

export interface EventStreamOptions {
  /** A comment line this often keeps proxies from closing an idle stream. */
  keepAliveMs: number;
  /** Live events held for a client that reads slower than they come; beyond, it catches up from the audit table. */
  maxPending: number;
  /** A client that reads nothing for this long is sent a last `stream.reset` event and dropped. */
  stallLimitMs: number;
  /** Rows per replay query. */
  pageSize: number;
  /** What EventSource clients wait before reconnecting. */
  retryMs: number;
}

export const DEFAULT_STREAM_OPTIONS: EventStreamOptions = {
  keepAliveMs: 15_000,
  maxPending: 1_000,
  stallLimitMs: 60_000,
  pageSize: 200,
  retryMs: 2_000,
};

/**
 * One client's event stream: replays the audit rows after `since`, then streams live ones, with
 * no gap and no repeat at the seam, and holds a bounded amount of memory whatever the client's
 * pace.
 *
 * The seam: `cursor` is the last id handled (sent, or skipped as not for this client). Replay
 * reads rows up to the feed's position; once the cursor has reached the position (checked in
 * the same tick as the switch, so no live record slips between), live records take over: all of
 * them have ids above it. Rows committed while a replay query runs are above the position it
 * read up to, so the next round or the live feed brings them.
 *
 * Backpressure: while the socket is full, the stream waits for it to drain; live records
 * arriving meanwhile queue up to `maxPending`, beyond which the queue is dropped and the stream
 * goes back to replaying from the cursor (the audit table holds them all), at the client's pace.
 * A client that takes nothing for `stallLimitMs` is told to resume (`stream.reset`, with the
 * id to resume from) and dropped.
 */
export class EventStream {
  private cursor = 0;
  private mode: 'replay' | 'live' = 'replay';
  private pending: AuditRecord[] = [];
  private pumping = false;
  private closed = false;
  private subscription: FeedSubscription | null = null;
  private keepAlive: NodeJS.Timeout | null = null;
  /** Last id actually written to the client (what `stream.reset` tells it to resume after). */
  private lastSent: number;

  constructor(
    private readonly response: ServerResponse,
    private readonly source: EventSource,
    private readonly actor: Actor,
    private readonly filter: EventFilter,
    private readonly options: EventStreamOptions = DEFAULT_STREAM_OPTIONS,
  ) {
    this.lastSent = 0;
  }

  /** Subscribes, sends the headers, and streams until the client goes away. */
  async start(since: number | null): Promise<void> {
    this.response.on('close', () => this.close());
    const subscription = await this.source.subscribe((record) => this.onLive(record));
    if (this.closed) {
      subscription.unsubscribe();
      return;
    }
    this.subscription = subscription;
    this.cursor = since ?? subscription.position;
    this.lastSent = this.cursor;
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx and the like would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    this.response.write(`retry: ${this.options.retryMs}\n: leshy events from ${this.cursor}\n\n`);
    this.keepAlive = setInterval(() => {
      // A full socket gets nothing more: the stall limit deals with it.
      if (!this.response.writableNeedDrain) this.response.write(': keep-alive\n\n');
    }, this.options.keepAliveMs);
    this.keepAlive.unref();
    void this.pump();
  }

  /** The server is going away: tell the client where to resume, and end the stream. */
  shutDown(): void {
    this.reset('the server is shutting down');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.subscription?.unsubscribe();
    if (this.keepAlive) clearInterval(this.keepAlive);
    if (!this.response.writableEnded) this.response.end();
  }

  private onLive(record: AuditRecord): void {
    if (this.closed || this.mode !== 'live') return;
    if (this.pending.length >= this.options.maxPending) {
      // Too far behind: forget the queue, read it back from the audit table when there is room.
      this.pending = [];
      this.mode = 'replay';
    } else this.pending.push(record);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      while (!this.closed) {
        if (this.mode === 'replay') {
          const upTo = this.source.position();
          if (this.cursor >= upTo) {
            this.mode = 'live';
            continue;
          }
          const rows = await this.source.replay(
            this.cursor,
            upTo,
            this.filter,
            this.options.pageSize,
          );
          // Presented together (what they need is read in batches), sent in order.
          for (const row of rows) this.source.present(row).catch(() => undefined);
          for (const row of rows) if (!(await this.handle(row))) return;
          // Fewer than a page: nothing else up to `upTo` is for this stream.
          if (rows.length < this.options.pageSize && this.mode === 'replay')
            this.cursor = Math.max(this.cursor, upTo);
        } else {
          const record = this.pending.shift();
          if (!record) return;
          if (!(await this.handle(record))) return;
        }
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.pumping = false;
    }
  }

  /** Sends one record if it is for this client; false once the stream is over. */
  private async handle(record: AuditRecord): Promise<boolean> {
    if (record.id <= this.cursor) return !this.closed;
    const presented = await this.source.present(record);
    if (this.closed) return false;
    this.cursor = record.id;
    if (!maySee(this.actor, presented.scope)) return true;
    if (!matchesFilter(this.filter, record.type, presented.scope)) return true;
    this.lastSent = record.id;
    if (!this.response.write(presented.frame)) return this.drained();
    return true;
  }

  /** Waits for the socket to take more; false if the client went away or stalled. */
  private drained(): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(stall);
        this.response.off('drain', onDrain);
        this.response.off('close', onClose);
        resolve(ok && !this.closed);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      const stall = setTimeout(() => {
        this.reset('the client read nothing for too long');
        done(false);
      }, this.options.stallLimitMs);
      this.response.on('drain', onDrain);
      this.response.on('close', onClose);
    });
  }

  /** The last word: where to resume from, then the end of the stream. */
  private reset(why: string): void {
    if (this.closed) return;
    const data = JSON.stringify({
      lastEventId: this.lastSent,
      detail: `${why}: reconnect with Last-Event-ID ${this.lastSent}`,
    });
    this.response.write(`event: stream.reset\ndata: ${data}\n\n`);
    this.close();
  }

  private fail(error: unknown): void {
    this.reset(`the stream failed (${(error as Error).message ?? String(error)})`);
  }
}
