import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { JobEntity } from '../jobs/job.entity';
import { RequestEntity } from '../requests/request.entity';
import { RequestNotFoundError } from '../requests/request.errors';
import { RequestState } from '../requests/request-state';
import { WorkerEntity } from '../workers/worker.entity';
import { explain, Explanation } from './explain';

/** The estimate's history: jobs that ended within this window (at most HISTORY_LIMIT of them). */
export const HISTORY_WINDOW_MS = 24 * 60 * 60 * 1000;
const HISTORY_LIMIT = 1000;

/**
 * Reads what explain() needs in one read transaction (one consistent snapshot of the queue,
 * the workers and their jobs) and hands it over; the reasoning is all in explain.ts.
 */
@Injectable()
export class ExplainService {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async explain(requestId: number): Promise<Explanation> {
    const now = this.clock.now();
    return this.tx.read(async (em) => {
      const request = await em.findOne(RequestEntity, { where: { id: requestId } });
      if (!request) throw new RequestNotFoundError(requestId);
      const base = {
        request,
        now,
        jobTimeoutMs: this.config.jobTimeoutMs,
      };
      if (request.state !== RequestState.Waiting) {
        const job = await em.findOne(JobEntity, { where: { requestId } });
        return explain({
          ...base,
          queue: [],
          workers: [],
          jobs: [],
          recentJobDurationsMs: [],
          job,
        });
      }
      const [queue, workers, jobs, durations] = await Promise.all([
        em.find(RequestEntity, { where: { state: RequestState.Waiting } }),
        em.find(WorkerEntity),
        em.find(JobEntity, { where: { endedAt: IsNull() } }),
        recentJobDurations(em, new Date(now.getTime() - HISTORY_WINDOW_MS)),
      ]);
      return explain({ ...base, queue, workers, jobs, recentJobDurationsMs: durations });
    });
  }
}

async function recentJobDurations(em: EntityManager, since: Date): Promise<number[]> {
  const ended = await em
    .createQueryBuilder(JobEntity, 'j')
    .select(['j.requestId', 'j.startedAt', 'j.endedAt'])
    .where('j.ended_at >= :since', { since: since.getTime() })
    .orderBy('j.ended_at', 'DESC')
    .take(HISTORY_LIMIT)
    .getMany();
  return ended.map((job) => job.endedAt!.getTime() - job.startedAt.getTime());
}
