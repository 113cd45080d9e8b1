import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { systemActor } from '../auth/actor';
import { AppConfig } from '../config/app-config';
import { formatDuration } from '../config/duration';
import { Transactions } from '../database/transactions.service';
import { viewOfJob } from '../events/domain-event';
import { JobEntity } from './job.entity';
import { JobRepository } from './job.repository';

const TIMEKEEPER = systemActor('timekeeper');

/** What decides whether a job is still to be warned: its timeout and the last warning's. */
export type WarnableJob = Pick<JobEntity, 'timeoutAt' | 'expiryWarnedFor' | 'endedAt'>;

/**
 * job.expiring: one event when a running job comes within LESHY_EXPIRY_WARNING of its timeout,
 * so a tester (or their CI) can prolong in time. Once per timeout: the warned timeout is kept in
 * the job's row, so neither a second timer nor a restart warns twice, and a prolong (a new
 * timeout) is warned again. The timekeeper of the scheduling instance calls it.
 */
@Injectable()
export class JobExpiryWarnings {
  constructor(
    private readonly config: AppConfig,
    private readonly tx: Transactions,
    private readonly jobs: JobRepository,
  ) {}

  /** When `job` is to be warned (epoch ms), or null: warnings off, ended, or warned already. */
  warnAt(job: WarnableJob): number | null {
    const warning = this.config.expiryWarningMs;
    if (warning <= 0 || job.endedAt) return null;
    if (job.expiryWarnedFor?.getTime() === job.timeoutAt.getTime()) return null;
    return job.timeoutAt.getTime() - warning;
  }

  /**
   * Warns if the job of `requestId` is due for it now (still running, its current timeout
   * within the warning and not passed, not warned for it). True if it warned.
   */
  async warn(requestId: number): Promise<boolean> {
    return this.tx.run(TIMEKEEPER.label, async (uow) => {
      const job = await this.jobs.ofRequest(uow.em, requestId);
      if (!job) return false;
      const at = this.warnAt(job);
      const now = uow.now.getTime();
      // Not yet (prolonged since it was due), or too late: the timeout itself is next.
      if (at === null || now < at || now >= job.timeoutAt.getTime()) return false;
      const before = { expiryWarnedFor: job.expiryWarnedFor?.toISOString() ?? null };
      // Two timers (or two instances after a handover) must not both warn.
      if (!(await this.jobs.markWarned(uow.em, requestId, job.timeoutAt))) return false;
      job.expiryWarnedFor = job.timeoutAt;
      const left = formatDuration(
        Math.max(0, Math.ceil((job.timeoutAt.getTime() - now) / 1000) * 1000),
      );
      uow.emit({
        type: 'job.expiring',
        job: viewOfJob(job),
        at: uow.now,
        actor: uow.actor,
        reason: `the job times out at ${job.timeoutAt.toISOString()} (in ${left}) unless prolonged`,
        before,
        after: {
          expiryWarnedFor: job.timeoutAt.toISOString(),
          timeoutAt: job.timeoutAt.toISOString(),
        },
      });
      return true;
    });
  }

  /** Running jobs due for a warning at `now` (the timekeeper's sweep). */
  async dueAt(em: EntityManager, now: Date): Promise<number[]> {
    const warning = this.config.expiryWarningMs;
    if (warning <= 0) return [];
    return this.jobs.dueForWarningIds(em, now, new Date(now.getTime() + warning));
  }
}
