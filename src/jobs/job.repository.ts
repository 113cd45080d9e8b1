import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull } from 'typeorm';
import { updateIfUnchanged } from '../database/compare-and-set';
import { findRow, findRowOrFail } from '../database/find-row';
import { deferInsert } from '../database/deferred-inserts';
import { insertRows } from '../database/insert-rows';
import { updateRows } from '../database/update-rows';
import { JobEntity } from './job.entity';

/**
 * Every query on jobs, by name. Each takes the EntityManager of the caller's unit of work (or
 * read), so it runs in that transaction. A job is running while its `endedAt` is null.
 */
@Injectable()
export class JobRepository {
  /** The job of a request, running or ended. */
  ofRequest(em: EntityManager, requestId: number): Promise<JobEntity | null> {
    return findRow(em, JobEntity, { requestId });
  }

  ofRequestOrFail(em: EntityManager, requestId: number): Promise<JobEntity> {
    return findRowOrFail(em, JobEntity, { requestId });
  }

  /** The jobs of these requests (running or ended). */
  async ofRequests(em: EntityManager, requestIds: number[]): Promise<JobEntity[]> {
    // One request (every status poll): the lookup that needs no query builder.
    if (requestIds.length === 1) {
      const job = await this.ofRequest(em, requestIds[0]);
      return job ? [job] : [];
    }
    return em.find(JobEntity, { where: { requestId: In(requestIds) } });
  }

  runningOfRequest(em: EntityManager, requestId: number): Promise<JobEntity | null> {
    return findRow(em, JobEntity, { requestId, endedAt: null });
  }

  runningOnWorker(em: EntityManager, workerUuid: string): Promise<JobEntity | null> {
    return findRow(em, JobEntity, { workerUuid, endedAt: null });
  }

  runningOnWorkers(em: EntityManager, workerUuids: readonly string[]): Promise<JobEntity[]> {
    return em.find(JobEntity, { where: { workerUuid: In([...workerUuids]), endedAt: IsNull() } });
  }

  running(em: EntityManager): Promise<JobEntity[]> {
    return em.find(JobEntity, { where: { endedAt: IsNull() } });
  }

  /** Jobs that ended at or after `since`, newest first, at most `limit` (start and end only). */
  endedSince(em: EntityManager, since: Date, limit: number): Promise<JobEntity[]> {
    return em
      .createQueryBuilder(JobEntity, 'j')
      .select(['j.requestId', 'j.startedAt', 'j.endedAt'])
      .where('j.ended_at >= :since', { since: since.getTime() })
      .orderBy('j.ended_at', 'DESC')
      .take(limit)
      .getMany();
  }

  /**
   * Whether the private key of `job`, read earlier in this transaction, was never handed out.
   * On SQLite every write transaction runs alone (one writer, SqliteSerialExecutor), so no
   * acquire can have marked the key since that read: the row read is the answer, with no
   * statement. On PostgreSQL one may have committed meanwhile: that column is read again.
   */
  async keyNeverRevealed(em: EntityManager, job: JobEntity): Promise<boolean> {
    if (em.connection.options.type === 'sqlite') return job.keyRevealed === false;
    const fresh = await findRowOrFail(em, JobEntity, { requestId: job.requestId }, [
      'requestId',
      'keyRevealed',
    ]);
    return fresh.keyRevealed === false;
  }

  /**
   * The job's key is its request's id: in a SQLite group commit the row waits to be written with
   * the batch's other jobs (a copy, so later changes to `job` go through updates only).
   */
  async insert(em: EntityManager, job: JobEntity): Promise<void> {
    if (!deferInsert(em, JobEntity, { ...job })) await insertRows(em, JobEntity, [job]);
  }

  /** Ends the running job of the request at `now`; false if it was not running. */
  async end(em: EntityManager, requestId: number, now: Date): Promise<boolean> {
    return (await updateRows(em, JobEntity, { requestId, endedAt: null }, { endedAt: now })) === 1;
  }

  /** Records that the running job's key was handed out; false if it was not running. */
  async markKeyRevealed(em: EntityManager, requestId: number): Promise<boolean> {
    const marked = await updateRows(
      em,
      JobEntity,
      { requestId, endedAt: null },
      { keyRevealed: true },
    );
    return marked === 1;
  }

  /** Records the running job's tunnel port; false if the job is not running (any more). */
  async recordTunnelPort(em: EntityManager, requestId: number, port: number): Promise<boolean> {
    const recorded = await updateRows(
      em,
      JobEntity,
      { requestId, endedAt: null },
      { tunnelPort: port },
    );
    return recorded !== 0;
  }

  /**
   * Whether the running job is idle past `now`, read under the row's write lock (an UPDATE
   * that changes nothing): an activity report that committed since an earlier read counts.
   */
  async stillIdle(em: EntityManager, requestId: number, now: Date): Promise<boolean> {
    const still = await em
      .createQueryBuilder()
      .update(JobEntity)
      .set({ idleAt: () => 'idle_at' })
      .where('request_id = :requestId AND ended_at IS NULL AND idle_at <= :now', {
        requestId,
        now: now.getTime(),
      })
      .execute();
    return still.affected === 1;
  }

  /**
   * Moves the running job's idle deadline to `candidate` (epoch ms), never past its timeout.
   * One UPDATE that reads timeout_at itself, so a prolong at the same moment is never undone.
   */
  async moveIdleDeadline(em: EntityManager, requestId: number, candidate: number): Promise<void> {
    await em
      .createQueryBuilder()
      .update(JobEntity)
      .set({
        idleAt: () => 'CASE WHEN timeout_at < :candidate THEN timeout_at ELSE :candidate END',
      })
      .where('request_id = :requestId AND ended_at IS NULL AND idle_at IS NOT NULL', {
        requestId,
      })
      .setParameter('candidate', candidate)
      .execute();
  }

  /**
   * The prolong of a running job read with `prolongCount`: two prolongs at once must not both
   * count as the same one (ConcurrentModificationError for the second).
   */
  prolongIfUnchanged(em: EntityManager, job: JobEntity, prolongCount: number): Promise<void> {
    return updateIfUnchanged(
      em,
      JobEntity,
      `Job of request ${job.requestId}`,
      { requestId: job.requestId, endedAt: null, prolongCount },
      { timeoutAt: job.timeoutAt, prolongCount: job.prolongCount, idleAt: job.idleAt },
    );
  }

  /** Marks the running job warned for its current timeout, once; false if it was already. */
  async markWarned(em: EntityManager, requestId: number, timeoutAt: Date): Promise<boolean> {
    const marked = await em
      .createQueryBuilder()
      .update(JobEntity)
      .set({ expiryWarnedFor: timeoutAt })
      .where(
        'request_id = :requestId AND ended_at IS NULL AND timeout_at = :timeoutAt AND (expiry_warned_for IS NULL OR expiry_warned_for <> :timeoutAt)',
        { requestId, timeoutAt: timeoutAt.getTime() },
      )
      .execute();
    return marked.affected === 1;
  }

  /** Request ids of running jobs whose timeout is at or before `now`. */
  timedOutIds(em: EntityManager, now: Date): Promise<number[]> {
    return requestIds(
      em
        .createQueryBuilder(JobEntity, 'j')
        .select('j.request_id', 'id')
        .where('j.ended_at IS NULL AND j.timeout_at <= :now', { now: now.getTime() }),
    );
  }

  /** Request ids of running jobs whose idle deadline is at or before `now`. */
  idleIds(em: EntityManager, now: Date): Promise<number[]> {
    return requestIds(
      em
        .createQueryBuilder(JobEntity, 'j')
        .select('j.request_id', 'id')
        .where('j.ended_at IS NULL AND j.idle_at <= :now', { now: now.getTime() }),
    );
  }

  /** Request ids of running jobs timing out in (now, horizon], not yet warned for that timeout. */
  dueForWarningIds(em: EntityManager, now: Date, horizon: Date): Promise<number[]> {
    return requestIds(
      em
        .createQueryBuilder(JobEntity, 'j')
        .select('j.request_id', 'id')
        .where(
          'j.ended_at IS NULL AND j.timeout_at <= :horizon AND j.timeout_at > :now AND (j.expiry_warned_for IS NULL OR j.expiry_warned_for <> j.timeout_at)',
          { horizon: horizon.getTime(), now: now.getTime() },
        ),
    );
  }
}

async function requestIds(query: { getRawMany<T>(): Promise<T[]> }): Promise<number[]> {
  const rows = await query.getRawMany<{ id: number | string }>();
  return rows.map((row) => Number(row.id));
}
