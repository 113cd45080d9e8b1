import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { OUTBOX_CHANNEL } from '../database/advisory-locks';
import { DatabaseOutage } from '../database/database-outage.service';
import { CoalescedRuns } from '../common/coalesced-runs';
import { DomainEventBus } from '../events/domain-event-bus';
import { decodeRemoteEvent } from '../events/event-codec';
import { InstanceIdentity } from './instance-identity';
import { deliverable, GAP_TIMEOUT_MS, PendingGap } from './outbox-gaps';

/** The safety net: a missed or late NOTIFY delays an event by this much at most. */
const POLL_INTERVAL_MS = 2_000;
/** After the listening connection broke, try again this often. */
const RELISTEN_DELAY_MS = 1_000;
const BATCH = 500;

/** While a missing id holds up delivery, look again this often (its commit also wakes us). */
const GAP_RECHECK_MS = 20;

export interface OutboxRow {
  id: number;
  origin: string | null;
  payload: string | null;
}

/** Gets every audit row in id order, this instance's own included (the API v2 event stream). */
export type OutboxRowListener = (row: OutboxRow) => void;

/**
 * PostgreSQL: brings the events committed by the other server instances to this instance's
 * DomainEventBus, so its matcher, timers and tunnels learn of changes made elsewhere. The audit
 * table is the outbox: rows are read in id order, never past an id that may still commit
 * (outbox-gaps.ts), and those written by another instance are published here, marked `remote`.
 * Two transactions that change the same row commit in the order of their audit ids (the second
 * waits for the first's row lock before it writes its audit rows), so each aggregate's events
 * arrive in commit order. A NOTIFY in each writing
 * transaction wakes the reader (milliseconds after the commit); a slow poll catches anything a
 * broken listening connection missed. On SQLite there is one instance and this does nothing.
 */
@Injectable()
export class EventRelay implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(EventRelay.name);
  private lastId = 0;
  private listener: Client | null = null;
  private poll: NodeJS.Timeout | null = null;
  private relistening: NodeJS.Timeout | null = null;
  private readonly reads = new CoalescedRuns(
    () => this.readNew(),
    () => !this.stopped,
  );
  private failing = false;
  private stopped = false;
  private relayed = 0;
  private gap: PendingGap | null = null;
  private gapTimer: NodeJS.Timeout | null = null;
  private readonly rowListeners = new Set<OutboxRowListener>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly bus: DomainEventBus,
    private readonly instance: InstanceIdentity,
    private readonly outage: DatabaseOutage,
  ) {}

  get enabled(): boolean {
    return this.config.database.kind === 'postgres';
  }

  /** Starts from the newest row: what happened before is rebuilt from the tables, not replayed. */
  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    const [{ max }] = await this.dataSource.query<Array<{ max: string | null }>>(
      'SELECT max(id) AS max FROM audit_events',
    );
    this.lastId = Number(max ?? 0);
    await this.listen();
    this.poll = setInterval(() => this.wake(), POLL_INTERVAL_MS);
    this.poll.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    if (this.relistening) clearTimeout(this.relistening);
    if (this.gapTimer) clearTimeout(this.gapTimer);
    await this.reads.settled();
    await this.dropListener();
  }

  /** For /health: the newest audit id read, and how many remote events were published. */
  stats(): { lastId: number; relayed: number; listening: boolean } | null {
    if (!this.enabled) return null;
    return { lastId: this.lastId, relayed: this.relayed, listening: this.listener !== null };
  }

  /**
   * The id of the last row read: every row up to it has been handed to the row listeners (or
   * was there before this instance started).
   */
  get position(): number {
    return this.lastId;
  }

  /** Every row from `position` on, in id order, with no gap; returns the unsubscribe. */
  onRow(listener: OutboxRowListener): () => void {
    this.rowListeners.add(listener);
    return () => this.rowListeners.delete(listener);
  }

  /** Reads what is new now; a wake-up during a read makes it read once more. */
  wake(): void {
    this.reads.request();
  }

  private async readNew(): Promise<void> {
    try {
      for (;;) {
        // Settled is judged BEFORE the read: once every transaction that could own a missing id
        // has ended, a read after that sees its row if it committed. Judged after the read, a
        // row committed in between would be skipped as never coming.
        const settled = this.gap !== null && (await this.gapSettled(this.gap));
        const rows = (
          await this.dataSource.query<OutboxRow[]>(
            'SELECT id, origin, payload FROM audit_events WHERE id > $1 ORDER BY id LIMIT $2',
            [this.lastId, BATCH],
          )
        ).map((row) => ({ ...row, id: Number(row.id) }));
        const { deliver, blocked } = deliverable(rows, this.lastId, this.gap, settled);
        for (const row of deliver) this.relay(row);
        if (this.gap && this.lastId >= this.gap.upTo) this.gap = null;
        if (this.failing) this.logger.log('reading events of other instances again');
        this.failing = false;
        this.outage.succeeded();
        if (blocked) {
          // Awaited inside the try: a failed look at the gap is an outage like any other read.
          await this.holdAtGap(rows[rows.length - 1].id);
          return;
        }
        if (rows.length < BATCH || this.stopped) return;
      }
    } catch (error) {
      // The next wake-up or poll tries again from the same id: nothing is skipped. While the
      // scheduler is stopped by an outage, these reads are what notices the database is gone.
      if (this.outage.failed('reading events of other instances', error)) {
        this.failing = true;
        return;
      }
      if (!this.failing)
        this.logger.warn(`reading events of other instances failed: ${(error as Error).message}`);
      this.failing = true;
    }
  }

  /** A missing id: note who may still commit it, and look again shortly. */
  private async holdAtGap(highestSeen: number): Promise<void> {
    if (!this.gap || this.gap.upTo < highestSeen) {
      const [{ horizon }] = await this.dataSource.query<Array<{ horizon: string }>>(
        'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS horizon',
      );
      this.gap = { upTo: highestSeen, horizon: BigInt(horizon), foundAt: Date.now() };
    }
    if (this.gapTimer || this.stopped) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      this.wake();
    }, GAP_RECHECK_MS);
    this.gapTimer.unref();
  }

  /** Every transaction running when the gap was found has ended (or it has waited too long). */
  private async gapSettled(gap: PendingGap): Promise<boolean> {
    if (Date.now() - gap.foundAt > GAP_TIMEOUT_MS) {
      this.logger.warn(
        `audit ids up to ${gap.upTo} still missing after ${GAP_TIMEOUT_MS} ms: skipped`,
      );
      return true;
    }
    const [{ xmin }] = await this.dataSource.query<Array<{ xmin: string }>>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
    );
    return BigInt(xmin) >= gap.horizon;
  }

  private relay(row: OutboxRow): void {
    this.lastId = row.id;
    for (const listener of this.rowListeners) this.deliverRow(listener, row);
    if (row.origin === this.instance.id || row.payload === null) return;
    let event;
    try {
      event = decodeRemoteEvent(row.payload);
    } catch (error) {
      this.logger.error(`audit row ${row.id}: unreadable event (${(error as Error).message})`);
      return;
    }
    this.relayed++;
    this.bus.publish([event]);
  }

  private deliverRow(listener: OutboxRowListener, row: OutboxRow): void {
    try {
      listener(row);
    } catch (error) {
      this.logger.error(`row listener failed on audit row ${row.id}: ${(error as Error).message}`);
    }
  }

  private async listen(): Promise<void> {
    if (this.config.database.kind !== 'postgres' || this.stopped) return;
    const client = new Client({
      connectionString: this.config.database.url,
      application_name: `leshy-events:${this.instance.id}`.slice(0, 63),
    });
    client.on('notification', () => this.wake());
    client.on('error', (error) => this.listenerBroke(client, error.message));
    client.on('end', () => this.listenerBroke(client, 'connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      this.listenerBroke(client, (error as Error).message);
      return;
    }
    this.listener = client;
    // Whatever was committed while nobody listened.
    this.wake();
  }

  private listenerBroke(client: Client, why: string): void {
    if (this.listener === client) this.listener = null;
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.stopped || this.relistening) return;
    this.logger.warn(`listening for events of other instances stopped (${why}); retrying`);
    this.relistening = setTimeout(() => {
      this.relistening = null;
      void this.listen();
    }, RELISTEN_DELAY_MS);
    this.relistening.unref();
  }

  private async dropListener(): Promise<void> {
    const client = this.listener;
    this.listener = null;
    if (!client) return;
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    await client.end().catch(() => undefined);
  }
}
