import { UnitOfWork } from '../database/unit-of-work';
import { DeregisteredWorkerEntity } from './deregistered-worker.entity';
import { WorkerEntity } from './worker.entity';
import {
  WorkerAlreadyRegisteredError,
  WorkerDeregisteredError,
  WorkerNotDeregisteredError,
} from './worker.errors';

/**
 * Whether a board may become a worker: a deregistration sticks (the agent, still running,
 * is refused) until an admin admits the board again. Used inside WorkersService transactions.
 */

/** Keeps the deregistration of `uuid` (by the unit of work's actor), replacing an older one. */
export async function rememberDeregistration(uow: UnitOfWork, uuid: string): Promise<void> {
  await uow.em.delete(DeregisteredWorkerEntity, { uuid });
  await uow.em.insert(DeregisteredWorkerEntity, {
    uuid,
    deregisteredAt: uow.now,
    deregisteredBy: uow.actor,
    admittedAt: null,
    admittedBy: null,
  });
}

/**
 * Before a worker is created for `uuid`: throws WorkerDeregisteredError while an admin's
 * deregistration stands; otherwise consumes an admission and returns the true reason of the
 * registration event.
 */
export async function admitNewWorker(uow: UnitOfWork, uuid: string): Promise<string> {
  const record = await uow.em.findOne(DeregisteredWorkerEntity, { where: { uuid } });
  if (!record) return 'first registration';
  if (!record.admittedAt || !record.admittedBy)
    throw new WorkerDeregisteredError(uuid, record.deregisteredBy, record.deregisteredAt);
  await uow.em.delete(DeregisteredWorkerEntity, { uuid });
  return `registered again: ${record.deregisteredBy} had deregistered it (${record.deregisteredAt.toISOString()}), ${record.admittedBy} admitted it again (${record.admittedAt.toISOString()})`;
}

export interface AdmissionView {
  uuid: string;
  deregisteredAt: Date;
  deregisteredBy: string;
  admittedAt: Date;
  admittedBy: string;
}

/** An admin admits a deregistered board: its agent's next registration is accepted. */
export async function admitDeregistered(uow: UnitOfWork, uuid: string): Promise<AdmissionView> {
  const record = await uow.em.findOne(DeregisteredWorkerEntity, { where: { uuid } });
  if (!record) {
    if (await uow.em.exists(WorkerEntity, { where: { uuid } }))
      throw new WorkerAlreadyRegisteredError(uuid);
    throw new WorkerNotDeregisteredError(uuid);
  }
  // Admitting twice keeps the first admission: nothing changes for the board.
  if (!record.admittedAt || !record.admittedBy) {
    record.admittedAt = uow.now;
    record.admittedBy = uow.actor;
    await uow.em.update(
      DeregisteredWorkerEntity,
      { uuid },
      { admittedAt: uow.now, admittedBy: uow.actor },
    );
  }
  return {
    uuid,
    deregisteredAt: record.deregisteredAt,
    deregisteredBy: record.deregisteredBy,
    admittedAt: record.admittedAt,
    admittedBy: record.admittedBy,
  };
}
