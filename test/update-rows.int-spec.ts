import { DataSource } from 'typeorm';
import { findRow } from '../src/database/find-row';
import { updateRows } from '../src/database/update-rows';
import { JobEntity } from '../src/jobs/job.entity';
import { WorkerEntity } from '../src/workers/worker.entity';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { startTestAppPerSuite, TestApp } from './support/test-app';
import { TESTER } from './support/actors';

/**
 * updateRows stands in for em.update on the compare-and-set of every state change: it must
 * write values as em.update writes them (dates, JSON, booleans, nulls) and count the rows it
 * changed, on SQLite and on PostgreSQL (this suite runs on both), in and out of a transaction.
 */
describe('updateRows: an UPDATE by key, written as em.update writes it', () => {
  let t: TestApp;
  startTestAppPerSuite((app) => {
    t = app;
  });

  async function runningJob(): Promise<{ requestId: number; workerUuid: string }> {
    const worker = await idleWorker(t, { board: 'update-rows' });
    const request = await t.requests.create(
      requestInput({ caps: { board: 'update-rows' } }),
      TESTER,
    );
    await t.settle();
    expect((await t.requests.get(request.id, TESTER)).request.state).toBe('IN PROGRESS');
    return { requestId: request.id, workerUuid: worker.uuid };
  }

  it('writes what em.update writes: dates, JSON text, booleans, null', async () => {
    const { requestId, workerUuid } = await runningJob();
    const em = t.app.get(DataSource).manager;
    const at = new Date('2026-12-02T14:00:00.321Z');
    const changes = { groups: ['lab-a', 'lab-b'], failReason: null, updatedAt: at };
    expect(await updateRows(em, WorkerEntity, { uuid: workerUuid }, changes)).toBe(1);
    const fast = await findRow(em, WorkerEntity, { uuid: workerUuid });
    await em.update(WorkerEntity, { uuid: workerUuid }, { groups: [], updatedAt: new Date(0) });
    await em.update(WorkerEntity, { uuid: workerUuid }, changes);
    expect(fast).toEqual(await findRow(em, WorkerEntity, { uuid: workerUuid }));
    expect(fast!.groups).toEqual(['lab-a', 'lab-b']);
    expect(fast!.updatedAt).toEqual(at);

    await em.transaction(async (tx) => {
      expect(await updateRows(tx, JobEntity, { requestId }, { keyRevealed: true })).toBe(1);
    });
    expect((await findRow(em, JobEntity, { requestId }))!.keyRevealed).toBe(true);
  });

  it('counts only the rows its key matches: a moved state version or a set column changes none', async () => {
    const { requestId, workerUuid } = await runningJob();
    const em = t.app.get(DataSource).manager;
    const worker = (await findRow(em, WorkerEntity, { uuid: workerUuid }))!;
    const stale = { uuid: workerUuid, stateVersion: worker.stateVersion - 1 };
    expect(await updateRows(em, WorkerEntity, stale, { failReason: 'stale' })).toBe(0);
    expect((await findRow(em, WorkerEntity, { uuid: workerUuid }))!.failReason).toBeNull();

    const running = { requestId, endedAt: null };
    expect(await updateRows(em, JobEntity, running, { tunnelPort: 40_001 })).toBe(1);
    await t.requests.close(requestId, TESTER);
    await t.settle();
    expect(await updateRows(em, JobEntity, running, { tunnelPort: 40_002 })).toBe(0);
    expect((await findRow(em, JobEntity, { requestId }))!.tunnelPort).toBe(40_001);
  });

  it('leaves undefined properties alone and refuses an update with nothing to change', async () => {
    const { workerUuid } = await runningJob();
    const em = t.app.get(DataSource).manager;
    await updateRows(em, WorkerEntity, { uuid: workerUuid }, { failReason: 'kept' });
    await updateRows(
      em,
      WorkerEntity,
      { uuid: workerUuid },
      {
        failReason: undefined,
        groups: ['x'],
      },
    );
    expect((await findRow(em, WorkerEntity, { uuid: workerUuid }))!.failReason).toBe('kept');
    await expect(
      updateRows(em, WorkerEntity, { uuid: workerUuid }, { failReason: undefined }),
    ).rejects.toThrow('WorkerEntity: an update needs a column to change');
  });
});
