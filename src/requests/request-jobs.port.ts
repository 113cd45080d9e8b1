import type { EntityManager } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import type { JobView } from '../events/domain-event';
import { RequestEntity } from './request.entity';
import type { EndedHow } from './request-ending';
import { RequestState } from './request-state';

export type JobOutcome = typeof RequestState.Done | typeof RequestState.Failed;

/**
 * What the request queue asks of jobs inside its own transactions: a create matched at once
 * starts its job, a close of a running request ends it, a read shows it. The job saga
 * (src/scheduling/) implements this; requests/ sits below the saga and never imports it.
 */
export abstract class RequestJobs {
  /**
   * Starts the job of `request` (written in this transaction) on `workerUuid` if the worker,
   * read here, can serve it now, and returns it; returns null, having written nothing, if not.
   */
  abstract startIfStartable(
    uow: UnitOfWork,
    request: RequestEntity,
    workerUuid: string,
  ): Promise<JobView | null>;

  /**
   * Ends the running job of `request`: the request becomes `outcome`, recorded as `how`.
   * Returns the job as ended.
   */
  abstract endJob(
    uow: UnitOfWork,
    request: RequestEntity,
    outcome: JobOutcome,
    how: EndedHow,
    reason: string,
  ): Promise<JobView>;

  /** The jobs of these requests (running or ended). */
  abstract jobsOf(em: EntityManager, requestIds: number[]): Promise<JobView[]>;
}
