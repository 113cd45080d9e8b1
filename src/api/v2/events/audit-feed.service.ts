import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventRelay } from '../../../cluster/event-relay.service';
import { CoalescedRuns } from '../../../common/coalesced-runs';
import { AppConfig } from '../../../config/app-config';
import { Transactions } from '../../../database/transactions.service';
import { AuditEventEntity } from '../../../events/audit-event.entity';
import { DomainEventBus } from '../../../events/domain-event-bus';
import { AuditRecord, readPayload, recordOfEvent, recordOfRow } from './audit-record';

export type AuditListener = (record: AuditRecord) => void;

export interface FeedSubscription {
  /** Every record with an id above this reaches the listener, in id order; none at or below it. */
  position: number;
  unsubscribe(): void;
}

const BATCH = 500;

/**
 * Committed audit rows, in id order with no gap, with their ids: what live event streams are
 * fed from. `position` is the id of the last row handed out; every row up to it is committed
 * and readable.
 *
 * PostgreSQL: the outbox relay already reads every row in id order, holding at ids that may
 * still commit (src/cluster/outbox-gaps.ts); its rows, this instance's own included, come from
 * there. SQLite: one writer, so ids commit in order; each published batch of events wakes a
 * read of the rows after `position`. Nothing is read while nobody listens.
 */
@Injectable()
export class AuditFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuditFeed.name);
  private readonly listeners = new Set<AuditListener>();
  /** SQLite: the last row handed out; null while nobody listens. */
  private last: number | null = null;
  private starting: Promise<number> | null = null;
  /** SQLite: reads of the rows after `last`, one at a time, woken by each commit. */
  private readonly reads = new CoalescedRuns(
    () => this.readNew(),
    () => !this.stopped && this.last !== null,
    // Nobody listens any more: forget the position, the next listener starts from the newest.
    () => {
      if (this.listeners.size === 0) this.last = null;
    },
  );
  private stopRelay: (() => void) | null = null;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly relay: EventRelay,
    private readonly bus: DomainEventBus,
    private readonly tx: Transactions,
  ) {}

  private get postgres(): boolean {
    return this.config.database.kind === 'postgres';
  }

  onModuleInit(): void {
    if (this.postgres) {
      this.stopRelay = this.relay.onRow((row) => {
        if (this.listeners.size === 0) return;
        const event = readPayload(row.payload);
        if (event) this.deliver(recordOfEvent(row.id, event));
      });
    } else this.bus.on('*', () => this.wake());
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.stopRelay?.();
    this.listeners.clear();
  }

  /** The last id handed out (every live stream's replay ends there). */
  get position(): number {
    return this.postgres ? this.relay.position : (this.last ?? 0);
  }

  async subscribe(listener: AuditListener): Promise<FeedSubscription> {
    if (!this.postgres && this.last === null) {
      this.starting ??= this.newestId().finally(() => (this.starting = null));
      const newest = await this.starting;
      // A read that started meanwhile may already have moved it on: keep the later one.
      if (this.last === null) {
        this.last = newest;
        // Commits while the newest id was read woke nobody (no position yet): read after it.
        this.wake();
      }
    }
    this.listeners.add(listener);
    return { position: this.position, unsubscribe: () => this.unsubscribe(listener) };
  }

  private unsubscribe(listener: AuditListener): void {
    this.listeners.delete(listener);
    // Nobody listens: forget the position, so the next listener starts from the newest row.
    if (this.listeners.size === 0 && !this.reads.busy) this.last = null;
  }

  private async newestId(): Promise<number> {
    const row = await this.tx.read((em) =>
      em
        .createQueryBuilder(AuditEventEntity, 'a')
        .select('MAX(a.id)', 'max')
        .getRawOne<{ max: string | number | null }>(),
    );
    return Number(row?.max ?? 0);
  }

  /** SQLite: something committed; read what is new (a wake-up during a read reads again). */
  private wake(): void {
    this.reads.request();
  }

  private async readNew(): Promise<void> {
    try {
      for (;;) {
        if (this.last === null) return;
        const after = this.last;
        const rows = await this.tx.read((em) =>
          em
            .createQueryBuilder(AuditEventEntity, 'a')
            .where('a.id > :after', { after })
            .orderBy('a.id', 'ASC')
            .limit(BATCH)
            .getMany(),
        );
        for (const row of rows) this.deliver(recordOfRow(row));
        if (rows.length < BATCH) return;
      }
    } catch (error) {
      // The next commit wakes another read from the same id: nothing is skipped.
      this.logger.warn(`reading new audit rows failed: ${(error as Error).message}`);
    }
  }

  private deliver(record: AuditRecord): void {
    if (!this.postgres) {
      if (this.last === null || record.id <= this.last) return;
      this.last = record.id;
    }
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch (error) {
        this.logger.error(`audit listener failed on ${record.id}: ${(error as Error).message}`);
      }
    }
  }
}
