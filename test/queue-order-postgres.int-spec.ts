import { FakeClock } from './fakes/fake-clock';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { scratchPostgres } from './support/scratch-postgres';
import { tempDir } from './support/temp-dir';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';
import { TESTER, ADMIN } from './support/actors';

/** FIFO within a priority holds across instances, also when their clocks disagree. */
describe('queue order across instances on PostgreSQL', () => {
  const dirs = [tempDir(), tempDir()];
  let a: TestApp;
  let b: TestApp;
  let database: Awaited<ReturnType<typeof scratchPostgres>>;

  beforeAll(async () => {
    database = await scratchPostgres();
    const env = { LESHY_DATABASE_URL: database.url, LESHY_SECRET: 'shared-secret-of-the-cluster' };
    a = await startTestApp({
      dataDir: dirs[0].path,
      clock: new FakeClock('2030-01-01T12:00:00Z'),
      env,
    });
    // B's clock is an hour behind A's.
    b = await startTestApp({
      dataDir: dirs[1].path,
      clock: new FakeClock('2030-01-01T11:00:00Z'),
      env,
    });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await database?.drop();
    for (const dir of dirs) dir.remove();
  });

  it('the request created first is served first, whichever instance took it', async () => {
    const first = await a.requests.create(requestInput({ caps: { board: 'fifo' } }), TESTER);
    const second = await b.requests.create(requestInput({ caps: { board: 'fifo' } }), TESTER);
    const third = await a.requests.create(requestInput({ caps: { board: 'fifo' } }), TESTER);
    expect(first.queueSeq).toBeLessThan(second.queueSeq);
    expect(second.queueSeq).toBeLessThan(third.queueSeq);

    await idleWorker(a, { board: 'fifo' });
    await waitFor(
      async () => (await a.requests.get(first.id, ADMIN)).request.state === 'IN PROGRESS',
      `request ${first.id} (the first) to run`,
    );
    expect((await a.requests.get(second.id, ADMIN)).request.state).toBe('WAITING');
  });
});
