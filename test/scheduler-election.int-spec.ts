import { Client } from 'pg';
import { InstanceIdentity } from '../src/cluster/instance-identity';
import { SchedulerElection } from '../src/cluster/scheduler-election.service';
import { HealthService } from '../src/health/health.service';
import { FakeClock } from './fakes/fake-clock';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { scratchPostgres } from './support/scratch-postgres';
import { tempDir } from './support/temp-dir';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';
import { TESTER, ADMIN } from './support/actors';

/** One elected scheduler among the instances on one PostgreSQL database; every one serves. */
describe('several instances on one PostgreSQL: one elected scheduler', () => {
  const dirs = [tempDir(), tempDir()];
  const clock = new FakeClock();
  let a: TestApp;
  let b: TestApp;
  let database: Awaited<ReturnType<typeof scratchPostgres>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await scratchPostgres();
    env = { LESHY_DATABASE_URL: database.url, LESHY_SECRET: 'shared-secret-of-the-cluster' };
    a = await startTestApp({ dataDir: dirs[0].path, clock, env });
    b = await startTestApp({ dataDir: dirs[1].path, clock, env });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await database?.drop();
    for (const dir of dirs) dir.remove();
  });

  const idOf = (t: TestApp) => t.app.get(InstanceIdentity).id;
  const schedules = (t: TestApp) => t.app.get(SchedulerElection).schedulesHere;

  async function runs(t: TestApp, id: number): Promise<void> {
    await waitFor(
      async () => (await t.requests.get(id, ADMIN)).request.state === 'IN PROGRESS',
      `request ${id} to be IN PROGRESS`,
    );
  }

  it('exactly one instance schedules, and every /health names it', async () => {
    expect(schedules(a)).toBe(true);
    expect(schedules(b)).toBe(false);
    for (const t of [a, b]) {
      const report = await t.app.get(HealthService).report();
      expect(report.scheduler.instance).toBe(idOf(a));
      expect(report.scheduler.thisInstance).toBe(idOf(t));
    }
  });

  it("a request created on B is served by A's scheduler with a worker set idle on B", async () => {
    await idleWorker(b, { board: 'via-b' });
    const { id } = await b.requests.create(requestInput({ caps: { board: 'via-b' } }), TESTER);
    await runs(b, id);
    expect(b.matcher.stats().matches).toBe(0);
    expect(a.matcher.stats().matches).toBeGreaterThan(0);
  });

  it("/health names this database's scheduler, not another lab's on the same server", async () => {
    const otherDatabase = await scratchPostgres();
    const otherDir = tempDir();
    const other = await startTestApp({
      dataDir: otherDir.path,
      env: { LESHY_DATABASE_URL: otherDatabase.url },
    });
    try {
      expect(schedules(other)).toBe(true);
      for (let i = 0; i < 5; i++)
        expect((await b.app.get(HealthService).report()).scheduler.instance).toBe(idOf(a));
    } finally {
      await other.close();
      await otherDatabase.drop();
      otherDir.remove();
    }
  });

  it('a scheduler whose lock connection breaks stops at once; the other takes over', async () => {
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
        [`leshy-scheduler:${idOf(a)}`],
      );
    } finally {
      await admin.end();
    }
    await waitFor(() => !schedules(a), 'A to stop scheduling', 2_000);
    await waitFor(() => schedules(b), 'B to take over', 10_000);
    expect(a.matcher.stats().waiting).toBe(0);

    await idleWorker(a, { board: 'after-takeover' });
    const { id } = await a.requests.create(
      requestInput({ caps: { board: 'after-takeover' } }),
      TESTER,
    );
    await runs(a, id);
    expect(b.matcher.stats().matches).toBeGreaterThan(0);
    // A, its lock gone, is a follower now and stays one.
    expect(schedules(a)).toBe(false);
    expect((await a.app.get(HealthService).report()).scheduler.instance).toBe(idOf(b));
  });

  it('a request waiting for a worker when the scheduler stops is served by the next', async () => {
    const { id } = await a.requests.create(requestInput({ caps: { board: 'later' } }), TESTER);
    await b.close();
    await waitFor(() => schedules(a), 'A to take over again', 10_000);
    await idleWorker(a, { board: 'later' });
    await runs(a, id);
    b = await startTestApp({ dataDir: dirs[1].path, clock, env });
    expect(schedules(b)).toBe(false);
  });
});
