import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { SchedulerElection } from '../cluster/scheduler-election.service';
import { Transactions } from '../database/transactions.service';
import { JobKeyPool } from '../keys/job-key-pool.service';

/** A database that takes longer than this to answer SELECT 1 counts as unreachable. */
export const DATABASE_CHECK_TIMEOUT_MS = 3_000;

/**
 * What readiness (GET /health/ready) checks: that this instance can serve a request end to
 * end. The database answers; some instance schedules (this one or another: without a
 * scheduler nothing is matched or prepared); the job key pool has generator threads left
 * (without them no job can start). An empty pool is not a failure: keys are being made.
 */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly tx: Transactions,
    private readonly election: SchedulerElection,
    private readonly keys: JobKeyPool,
  ) {}

  async database(): Promise<HealthIndicatorResult<'database'>> {
    const check = this.indicators.check('database');
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.tx.read((em) => em.query('SELECT 1')),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${DATABASE_CHECK_TIMEOUT_MS} ms`)),
            DATABASE_CHECK_TIMEOUT_MS,
          );
        }),
      ]);
      return check.up({ latencyMs: Math.round(performance.now() - started) });
    } catch (error) {
      return check.down({ message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }

  async scheduler(): Promise<HealthIndicatorResult<'scheduler'>> {
    const check = this.indicators.check('scheduler');
    const status = await this.election.status();
    const details = { instance: status.instance, schedulesHere: status.schedulesHere };
    return status.instance === null
      ? check.down({ ...details, message: 'no instance schedules right now' })
      : check.up(details);
  }

  keyPool(): HealthIndicatorResult<'keyPool'> {
    const check = this.indicators.check('keyPool');
    const stats = this.keys.stats();
    const details = { ready: stats.ready, generating: stats.generating, threads: stats.threads };
    return stats.threads === 0
      ? check.down({ ...details, message: 'no key generator thread is left: no job can start' })
      : check.up(details);
  }
}
