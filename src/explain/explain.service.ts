import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { JobRepository } from '../jobs/job.repository';
import { RequestRepository } from '../requests/request.repository';
import { RequestNotFoundError } from '../requests/request.errors';
import { RequestState } from '../requests/request-state';
import { WorkerRepository } from '../workers/worker.repository';
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
    private readonly requests: RequestRepository,
    private readonly workers: WorkerRepository,
    private readonly jobs: JobRepository,
  ) {}

  async explain(requestId: number): Promise<Explanation> {
    const now = this.clock.now();
    return this.tx.read(async (em) => {
      const request = await this.requests.findById(em, requestId);
      if (!request) throw new RequestNotFoundError(requestId);
      const base = {
        request,
        now,
        jobTimeoutMs: this.config.jobTimeoutMs,
      };
      if (request.state !== RequestState.Waiting) {
        const job = await this.jobs.ofRequest(em, requestId);
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
        this.requests.waiting(em),
        this.workers.all(em),
        this.jobs.running(em),
        this.recentJobDurations(em, new Date(now.getTime() - HISTORY_WINDOW_MS)),
      ]);
      return explain({ ...base, queue, workers, jobs, recentJobDurationsMs: durations });
    });
  }

  private async recentJobDurations(em: EntityManager, since: Date): Promise<number[]> {
    const ended = await this.jobs.endedSince(em, since, HISTORY_LIMIT);
    return ended.map((job) => job.endedAt!.getTime() - job.startedAt.getTime());
  }
}
