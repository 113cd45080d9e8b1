import { updateIfUnchanged } from '../database/compare-and-set';
import { UnitOfWork } from '../database/unit-of-work';
import { viewOfWorker } from '../events/domain-event';
import { WorkerEntity } from './worker.entity';

type WorkerFields = Partial<Pick<WorkerEntity, 'failReason' | 'maintenance'>>;

/**
 * Changes fields of a worker that are not its state, if its state has not changed since it was
 * read (compare-and-set on the state version), and records a worker.updated event with what
 * they were before and are now.
 */
export async function updateWorkerFields(
  uow: UnitOfWork,
  worker: WorkerEntity,
  changes: WorkerFields,
  reason: string | null,
): Promise<void> {
  const keys = Object.keys(changes) as Array<keyof WorkerFields>;
  const before = Object.fromEntries(keys.map((key) => [key, worker[key]]));
  await updateIfUnchanged(
    uow.em,
    WorkerEntity,
    `Worker ${worker.uuid}`,
    'uuid = :uuid AND state_version = :version',
    { uuid: worker.uuid, version: worker.stateVersion },
    { ...changes, updatedAt: uow.now },
  );
  Object.assign(worker, changes, { updatedAt: uow.now });
  uow.emit({
    type: 'worker.updated',
    worker: viewOfWorker(worker),
    at: uow.now,
    actor: uow.actor,
    reason,
    before,
    after: { ...changes },
  });
}
