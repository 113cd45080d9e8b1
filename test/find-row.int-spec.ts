import { DataSource, EntityNotFoundError } from 'typeorm';
import { findRow, findRowOrFail } from '../src/database/find-row';
import { ReadConnection } from '../src/database/read-connection';
import { JobEntity } from '../src/jobs/job.entity';
import { RequestEntity } from '../src/requests/request.entity';
import { WorkerEntity } from '../src/workers/worker.entity';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { startTestAppPerSuite, TestApp } from './support/test-app';
import { TESTER } from './support/actors';

/**
 * findRow stands in for em.findOne on the lookups every call makes: it must hydrate exactly
 * what TypeORM's own findOne does (dates, JSON columns, booleans, nulls, bigints), on SQLite
 * and on PostgreSQL (this suite runs on both), in a transaction and on the read connection.
 */
describe('findRow: one row by key, as findOne hydrates it', () => {
  let t: TestApp;
  startTestAppPerSuite((app) => {
    t = app;
  });

  async function runningJob(): Promise<{ requestId: number; workerUuid: string }> {
    const worker = await idleWorker(t, { board: 'find-row', arch: 'armv7' });
    const request = await t.requests.create(requestInput({ caps: { board: 'find-row' } }), TESTER);
    await t.settle();
    expect((await t.requests.get(request.id, TESTER)).request.state).toBe('IN PROGRESS');
    return { requestId: request.id, workerUuid: worker.uuid };
  }

  it('answers the same entities as findOne, with every column', async () => {
    const { requestId, workerUuid } = await runningJob();
    for (const em of [t.app.get(DataSource).manager, t.app.get(ReadConnection).manager]) {
      const request = await findRow(em, RequestEntity, { id: requestId });
      expect(request).toBeInstanceOf(RequestEntity);
      expect(request).toEqual(await em.findOne(RequestEntity, { where: { id: requestId } }));
      expect(request!.createdAt).toBeInstanceOf(Date);
      expect(request!.caps).toEqual({ board: 'find-row' });

      const worker = await findRow(em, WorkerEntity, { uuid: workerUuid });
      expect(worker).toEqual(await em.findOne(WorkerEntity, { where: { uuid: workerUuid } }));
      expect(worker!.caps).toMatchObject({ board: 'find-row', arch: 'armv7' });

      const job = await findRow(em, JobEntity, { requestId, endedAt: null });
      expect(job).toEqual(await em.findOne(JobEntity, { where: { requestId } }));
      expect(job!.workerUuid).toBe(workerUuid);
      expect(typeof job!.requestId).toBe('number');
    }
  });

  it('matches IS NULL for a null key, and nothing once the column is set', async () => {
    const { requestId } = await runningJob();
    const em = t.app.get(DataSource).manager;
    expect(await findRow(em, JobEntity, { requestId, endedAt: null })).not.toBeNull();
    await t.requests.close(requestId, TESTER);
    await t.settle();
    expect(await findRow(em, JobEntity, { requestId, endedAt: null })).toBeNull();
    const ended = await findRow(em, JobEntity, { requestId });
    expect(ended!.endedAt).toBeInstanceOf(Date);
    expect(ended).toEqual(await em.findOne(JobEntity, { where: { requestId } }));
  });

  it('reads only the selected columns when given some', async () => {
    const { workerUuid } = await runningJob();
    const em = t.app.get(DataSource).manager;
    const some = await findRow(em, WorkerEntity, { uuid: workerUuid }, ['uuid', 'state']);
    expect(some).toEqual(
      await em.findOne(WorkerEntity, { where: { uuid: workerUuid }, select: ['uuid', 'state'] }),
    );
    const read = Object.entries(some!).filter(([, value]) => value !== undefined);
    expect(read.map(([name]) => name).sort()).toEqual(['state', 'uuid']);
  });

  it('answers null for no row, and findRowOrFail throws EntityNotFoundError as findOneOrFail', async () => {
    const em = t.app.get(DataSource).manager;
    expect(await findRow(em, RequestEntity, { id: 987_654_321 })).toBeNull();
    await expect(findRowOrFail(em, RequestEntity, { id: 987_654_321 })).rejects.toBeInstanceOf(
      EntityNotFoundError,
    );
    await expect(
      em.findOneOrFail(RequestEntity, { where: { id: 987_654_321 } }),
    ).rejects.toBeInstanceOf(EntityNotFoundError);
  });

  it('refuses a key that is not a column, naming it', async () => {
    const em = t.app.get(DataSource).manager;
    await expect(
      findRow(em, RequestEntity, { nope: 1 } as unknown as Partial<RequestEntity>),
    ).rejects.toThrow('RequestEntity has no column nope');
  });
});
