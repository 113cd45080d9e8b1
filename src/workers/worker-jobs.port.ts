import { UnitOfWork } from '../database/unit-of-work';
import type { Offer } from '../common/ask';
import { WorkerEntity } from './worker.entity';

/**
 * What the worker registry asks of jobs and requests inside its own transactions, when a
 * worker leaves service or offers less. The job saga (src/scheduling/) implements this;
 * workers/ sits below the saga and never imports it.
 */
export abstract class WorkerJobs {
  /** The worker of a running job failed or went to maintenance: its request FAILS. */
  abstract failJobOfWorker(uow: UnitOfWork, worker: WorkerEntity, reason: string): Promise<void>;

  /**
   * The worker was deregistered or changed its caps: WAITING requests it could satisfy before
   * (`formerOffer`) that no registered worker can satisfy now become INVALID.
   */
  abstract invalidateUnsatisfiable(
    uow: UnitOfWork,
    formerOffer: Offer,
    reason: string,
  ): Promise<number[]>;
}
