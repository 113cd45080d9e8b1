import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { updateIfUnchanged } from '../database/compare-and-set';
import type { RowKey } from '../database/entity-statements';
import { findRow, findRowOrFail } from '../database/find-row';
import { WorkerEntity } from './worker.entity';

/**
 * Every query on workers, by name. Each takes the EntityManager of the caller's unit of work
 * (or read), so it runs in that transaction; the state changes themselves are the state
 * machine's (worker-state-machine.ts).
 */
@Injectable()
export class WorkerRepository {
  findByUuid(em: EntityManager, uuid: string): Promise<WorkerEntity | null> {
    return findRow(em, WorkerEntity, { uuid });
  }

  findByUuidOrFail(em: EntityManager, uuid: string): Promise<WorkerEntity> {
    return findRowOrFail(em, WorkerEntity, { uuid });
  }

  all(em: EntityManager): Promise<WorkerEntity[]> {
    return em.find(WorkerEntity);
  }

  /** What every registered worker offers (caps and groups), whatever its state. */
  offers(em: EntityManager): Promise<Array<Pick<WorkerEntity, 'uuid' | 'caps' | 'groups'>>> {
    return em.find(WorkerEntity, { select: ['uuid', 'caps', 'groups'] });
  }

  /** State and sealed prepared key only (no other column is read). */
  preparedKeyOf(
    em: EntityManager,
    uuid: string,
  ): Promise<Pick<WorkerEntity, 'uuid' | 'state' | 'preparedKey'> | null> {
    return findRow(em, WorkerEntity, { uuid }, ['uuid', 'state', 'preparedKey']);
  }

  async insert(em: EntityManager, worker: WorkerEntity): Promise<void> {
    await em.insert(WorkerEntity, worker);
  }

  /** What the agent registered (caps, addresses, host key, access mode). */
  async updateRegistration(
    em: EntityManager,
    uuid: string,
    fields: Pick<
      WorkerEntity,
      'caps' | 'controlAddr' | 'sshAddr' | 'hostKey' | 'accessMode' | 'updatedAt'
    >,
  ): Promise<void> {
    await em.update(WorkerEntity, { uuid }, fields);
  }

  /** Deletes the worker if its state did not change since it was read; true if it did. */
  async deleteIfUnchanged(em: EntityManager, worker: WorkerEntity): Promise<boolean> {
    const removed = await em.delete(WorkerEntity, {
      uuid: worker.uuid,
      stateVersion: worker.stateVersion,
    });
    return removed.affected === 1;
  }

  /** A new fail reason over the one read, in the state read (ConcurrentModificationError if not). */
  updateFailReasonIfUnchanged(
    em: EntityManager,
    worker: WorkerEntity,
    failReason: string,
    now: Date,
  ): Promise<void> {
    return this.updateIfStillAsRead(
      em,
      worker,
      { failReason: worker.failReason },
      { failReason, updatedAt: now },
    );
  }

  /** New groups over the ones read, in the state read (ConcurrentModificationError if not). */
  updateGroupsIfUnchanged(
    em: EntityManager,
    worker: WorkerEntity,
    groups: string[],
    now: Date,
  ): Promise<void> {
    return this.updateIfStillAsRead(
      em,
      worker,
      { groups: worker.groups },
      { groups, updatedAt: now },
    );
  }

  /** `changes` if the worker is in the state it was read in and still holds `asRead`. */
  private updateIfStillAsRead(
    em: EntityManager,
    worker: WorkerEntity,
    asRead: RowKey<WorkerEntity>,
    changes: Partial<WorkerEntity>,
  ): Promise<void> {
    return updateIfUnchanged(
      em,
      WorkerEntity,
      `Worker ${worker.uuid}`,
      { uuid: worker.uuid, stateVersion: worker.stateVersion, ...asRead },
      changes,
    );
  }
}
