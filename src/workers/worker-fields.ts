import { updateIfUnchanged } from '../database/compare-and-set';
import { UnitOfWork } from '../database/unit-of-work';
import { viewOfWorker } from '../events/domain-event';
import { WorkerEntity } from './worker.entity';

type WorkerFields = Partial<Pick<WorkerEntity, 'failReason' | 'maintenance'>>;

/**
 * Changes fields of a worker that are not its state, if its state has not changed since it was
 * read (compare-and-set on the state version), and records a worker.updated event with what
 * they were before and are now.
 *
 * `bumpVersion` for fields a concurrent state change decides by (the maintenance order: a job
 * ending reads it to choose PREPARE or BUSY): the version moves, so a state change that read
 * the worker before this write loses its compare-and-set and runs again on fresh data, instead
 * of overwriting an order it never saw. Only for states without a long operation under way
 * (one started at the old version would be dropped).
 */
export async function updateWorkerFields(
  uow: UnitOfWork,
  worker: WorkerEntity,
  changes: WorkerFields,
  reason: string | null,
  { bumpVersion = false }: { bumpVersion?: boolean } = {},
): Promise<void> {
  const keys = Object.keys(changes) as Array<keyof WorkerFields>;
  const before = Object.fromEntries(keys.map((key) => [key, worker[key]]));
  const version = bumpVersion ? { stateVersion: worker.stateVersion + 1 } : {};
  await updateIfUnchanged(
    uow.em,
    WorkerEntity,
    `Worker ${worker.uuid}`,
    { uuid: worker.uuid, stateVersion: worker.stateVersion },
    { ...changes, ...version, updatedAt: uow.now },
  );
  Object.assign(worker, changes, version, { updatedAt: uow.now });
  emitWorkerUpdated(uow, worker, before, { ...changes }, reason);
}

/** The worker.updated event of a change to `worker` (already applied), in the caller's unit of work. */
export function emitWorkerUpdated(
  uow: UnitOfWork,
  worker: WorkerEntity,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  reason: string | null,
): void {
  uow.emit({
    type: 'worker.updated',
    worker: viewOfWorker(worker),
    at: uow.now,
    actor: uow.actor,
    reason,
    before,
    after,
  });
}
