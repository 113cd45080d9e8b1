import { Injectable } from '@nestjs/common';
import { UnitOfWork } from '../database/unit-of-work';
import { JobView, RequestView, viewOfRequest } from '../events/domain-event';
import { RequestEntity } from './request.entity';
import { RequestJobs } from './request-jobs.port';

/** What the matcher offers a create transaction (MatcherService implements it). */
export interface ArrivalMatcher {
  /** The worker the matcher's next pass would give this new request now, or null. */
  claim(request: RequestView, now: number): string | null;
  /**
   * The create is over: the claimed worker runs its job, or did not get it (the job could not
   * start, or the create failed) and goes back into the matcher as stored.
   */
  settled(requestId: number, workerUuid: string, started: boolean): void;
}

/**
 * Starts a new request's job inside its own create transaction when the matcher would match it
 * at once, so the create's answer is already the truth (IN PROGRESS) and the tester's first
 * poll sees it. It is the matcher running earlier, not a second matcher: the worker comes from
 * the matcher's own pass rules, the start from the job saga (the RequestJobs port) with every
 * re-check. The create's module holds this seam and the matcher attaches to it, since the
 * matcher depends on requests.
 */
@Injectable()
export class MatchAtCreate {
  private matcher: ArrivalMatcher | null = null;

  constructor(private readonly jobs: RequestJobs) {}

  attach(matcher: ArrivalMatcher | null): void {
    this.matcher = matcher;
  }

  /** One create: its transaction may run more than once (a group commit redone alone). */
  open(): Arrival {
    return new Arrival(this.matcher, this.jobs);
  }
}

export class Arrival {
  private worker: string | null = null;
  private requestId = 0;
  private job: JobView | null = null;

  constructor(
    private readonly matcher: ArrivalMatcher | null,
    private readonly jobs: RequestJobs,
  ) {}

  /**
   * In the create's transaction, after the request row is written: maybe starts its job, and
   * returns it (null: it waits).
   */
  async startJob(uow: UnitOfWork, request: RequestEntity): Promise<JobView | null> {
    this.job = null;
    this.requestId = request.id;
    // A redone attempt tries the worker claimed before (the database decides again).
    this.worker ??= this.matcher?.claim(viewOfRequest(request), uow.now.getTime()) ?? null;
    if (!this.worker) return null;
    this.job = await this.jobs.startIfStartable(uow.as('system:matcher'), request, this.worker);
    return this.job;
  }

  /** The create's outcome: a claimed worker that is not running this job goes back. */
  async settle<T>(outcome: Promise<T>): Promise<T> {
    try {
      const value = await outcome;
      this.done(this.job !== null);
      return value;
    } catch (error) {
      this.done(false);
      throw error;
    }
  }

  private done(started: boolean): void {
    if (this.worker) this.matcher?.settled(this.requestId, this.worker, started);
    this.worker = null;
  }
}
