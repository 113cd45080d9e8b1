import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { LESHY_VERSION } from '../common/version';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { EventRelay } from '../cluster/event-relay.service';
import { SchedulerElection, SchedulerStatus } from '../cluster/scheduler-election.service';
import { JobKeyPool } from '../keys/job-key-pool.service';
import { EventLoopStallReport, EventLoopStalls } from '../diagnostics/event-loop-stalls';
import { MatcherService } from '../matcher/matcher.service';

export interface HealthReport {
  status: 'ok' | 'failing';
  version: string;
  time: string;
  database: { kind: string; ok: boolean; latencyMs: number; error?: string };
  /** What the matcher of this instance holds (zeros on an instance that does not schedule). */
  queue: { waiting: number; asks: number; idleWorkers: number };
  /** Which instance schedules; `events` is the PostgreSQL event relay (absent on SQLite). */
  scheduler: SchedulerStatus & { events?: { lastId: number; relayed: number; listening: boolean } };
  keyPool: { ready: number; generating: number; threads: number };
  /** Event-loop stalls over 10 ms since start, and what they overlapped. */
  eventLoop: EventLoopStallReport;
}

@Injectable()
export class HealthService {
  constructor(
    private readonly tx: Transactions,
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly matcher: MatcherService,
    private readonly election: SchedulerElection,
    private readonly relay: EventRelay,
    private readonly keys: JobKeyPool,
    private readonly loop: EventLoopStalls,
  ) {}

  async report(): Promise<HealthReport> {
    const started = performance.now();
    let error: string | undefined;
    try {
      await this.tx.read((em) => em.query('SELECT 1'));
    } catch (caught) {
      error = (caught as Error).message;
    }
    const scheduler = await this.election.status();
    const stats = this.matcher.stats();
    const keys = this.keys.stats();
    const events = this.relay.stats();
    return {
      status: error ? 'failing' : 'ok',
      version: LESHY_VERSION,
      time: this.clock.now().toISOString(),
      database: {
        kind: this.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite',
        ok: !error,
        latencyMs: Math.round((performance.now() - started) * 100) / 100,
        ...(error ? { error } : {}),
      },
      queue: { waiting: stats.waiting, asks: stats.asks, idleWorkers: stats.idleWorkers },
      scheduler: { ...scheduler, ...(events ? { events } : {}) },
      keyPool: { ready: keys.ready, generating: keys.generating, threads: keys.threads },
      eventLoop: this.loop.report(),
    };
  }
}
