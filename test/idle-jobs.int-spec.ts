import { DomainEventBus } from '../src/events/domain-event-bus';
import { AGENT, TESTER, ADMIN } from './support/actors';
import { FakeClock } from './fakes/fake-clock';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { rawRequest } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

const MINUTE = 60_000;
/** Idle timeout 10 minutes, job timeout 15: activity late in a job meets the job timeout. */
const ENV = { LESHY_IDLE_JOB_TIMEOUT: '10m', LESHY_JOB_TIMEOUT: '15m' };

/** Why each job ended (the reason its job.ended event, and audit row, carries). */
function endReasons(t: TestApp): Map<number, string | null> {
  const reasons = new Map<number, string | null>();
  t.app.get(DomainEventBus).on('job.ended', (e) => {
    reasons.set(e.job.requestId, e.reason);
  });
  return reasons;
}

async function runningJob(t: TestApp, board: string) {
  const worker = await idleWorker(t, { board });
  const request = await t.requests.create(requestInput({ caps: { board } }), TESTER);
  await t.settle();
  const { job } = await t.requests.get(request.id, ADMIN);
  expect(job?.workerUuid).toBe(worker.uuid);
  return { worker, request, job: job! };
}

describe('idle jobs: LESHY_IDLE_JOB_TIMEOUT ends a job nobody uses', () => {
  const dir = tempDir();
  let t: TestApp;
  let reasons: Map<number, string | null>;

  beforeAll(async () => {
    t = await startTestApp({ dataDir: dir.path, env: ENV });
    reasons = endReasons(t);
  });
  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  const stateOf = async (id: number) => (await t.requests.get(id, ADMIN)).request.state;

  it('ends a job with no activity at its idle deadline: DONE, reason idle, board prepared again', async () => {
    const { worker, request, job } = await runningJob(t, 'idle-none');
    expect(job.idleAt).toEqual(new Date(job.startedAt.getTime() + 10 * MINUTE));
    const prepares = t.dryad.countOf('prepare', worker.uuid);
    t.clock.advance(10 * MINUTE - 1);
    await t.settle();
    expect(await stateOf(request.id)).toBe('IN PROGRESS');
    t.clock.advance(1);
    await waitFor(async () => (await stateOf(request.id)) === 'DONE', 'DONE by idle timeout');
    expect(reasons.get(request.id)).toBe('idle');
    await t.settle();
    expect((await t.workers.get(worker.uuid)).state).toBe('IDLE');
    expect(t.dryad.countOf('prepare', worker.uuid)).toBe(prepares + 1);
  });

  it('activity moves the idle deadline to now + idle timeout', async () => {
    const { worker, request, job } = await runningJob(t, 'idle-active');
    t.clock.advance(3 * MINUTE);
    await t.jobs.reportActivity(worker.uuid, AGENT);
    const idleAt = job.startedAt.getTime() + 13 * MINUTE;
    expect((await t.requests.get(request.id, ADMIN)).job?.idleAt).toEqual(new Date(idleAt));
    t.clock.advance(7 * MINUTE); // the first idle deadline passes
    await t.settle();
    expect(await stateOf(request.id)).toBe('IN PROGRESS');
    t.clock.advance(3 * MINUTE - 1);
    await t.settle();
    expect(await stateOf(request.id)).toBe('IN PROGRESS');
    t.clock.advance(1);
    await waitFor(async () => (await stateOf(request.id)) === 'DONE', 'DONE at the moved deadline');
    expect(reasons.get(request.id)).toBe('idle');
  });

  it('activity never moves the idle deadline past the job timeout; prolong does', async () => {
    const { worker, request, job } = await runningJob(t, 'idle-capped');
    t.clock.advance(8 * MINUTE);
    await t.jobs.reportActivity(worker.uuid, AGENT);
    expect((await t.requests.get(request.id, ADMIN)).job?.idleAt).toEqual(job.timeoutAt);
    t.clock.advance(6 * MINUTE);
    const prolonged = await t.jobs.prolong(request.id, TESTER);
    // Prolong is the tester at work: the idle deadline starts again, within the new timeout.
    expect(prolonged.idleAt).toEqual(new Date(t.clock.now().getTime() + 10 * MINUTE));
    t.clock.advance(6 * MINUTE); // now + idle timeout is a minute past the new job timeout
    await t.jobs.reportActivity(worker.uuid, AGENT);
    expect((await t.requests.get(request.id, ADMIN)).job?.idleAt).toEqual(prolonged.timeoutAt);
    t.clock.set(new Date(prolonged.timeoutAt.getTime() - 1));
    await t.settle();
    expect(await stateOf(request.id)).toBe('IN PROGRESS');
    t.clock.advance(1);
    await waitFor(async () => (await stateOf(request.id)) === 'DONE', 'DONE at the job timeout');
  });

  it('refuses activity for a worker without a running job, by name', async () => {
    const worker = await idleWorker(t, { board: 'idle-nojob' });
    await expect(t.jobs.reportActivity(worker.uuid, AGENT)).rejects.toMatchObject({
      code: 'no-running-job',
      message: expect.stringContaining(worker.uuid),
    });
  });

  it('the periodic sweep ends an idle job that no timer saw', async () => {
    const { request } = await runningJob(t, 'idle-sweep');
    t.clock.jump(11 * MINUTE);
    await t.timekeeper.sweep();
    expect(await stateOf(request.id)).toBe('DONE');
    expect(reasons.get(request.id)).toBe('idle');
  });
});

describe('idle jobs: the agent reports activity over HTTP', () => {
  const dir = tempDir();
  const TOKEN = 'lab-wide-enrollment-token-for-idle-jobs';
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      dataDir: dir.path,
      http: true,
      env: { ...ENV, LESHY_AGENT_TOKEN: TOKEN },
    });
  });
  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  const report = async (uuid: string) =>
    rawRequest(await t.app.getUrl(), 'POST', `/api/v2/agents/${uuid}/activity`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });

  it('moves the idle deadline (204), and names what is wrong otherwise', async () => {
    const { worker, request } = await runningJob(t, 'idle-http');
    t.clock.advance(MINUTE);
    expect((await report(worker.uuid)).status).toBe(204);
    expect((await t.requests.get(request.id, ADMIN)).job?.idleAt).toEqual(
      new Date(t.clock.now().getTime() + 10 * MINUTE),
    );
    await t.requests.close(request.id, TESTER);
    await t.settle();
    const late = await report(worker.uuid);
    expect(late.status).toBe(409);
    expect(late.body).toContain(`worker ${worker.uuid} has no running job`);
    expect((await report('not-a-uuid')).status).toBe(400);
  });
});

describe('idle jobs: off by default', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('gives jobs no idle deadline and keeps them to their job timeout', async () => {
    const t = await startTestApp({ dataDir: dir.path });
    try {
      const { worker, job } = await runningJob(t, 'idle-off');
      expect(job.idleAt).toBeNull();
      await t.jobs.reportActivity(worker.uuid, AGENT); // counted for nothing, refused for nothing
      expect(t.config.idleJobTimeoutMs).toBe(0);
    } finally {
      await t.close();
    }
  });
});

describe('idle jobs: a restart re-arms the idle deadline from the database', () => {
  const dir = tempDir();
  const t0 = new Date('2031-06-01T12:00:00Z').getTime();
  let second: TestApp | undefined;

  afterAll(async () => {
    await second?.close();
    dir.remove();
  });

  it('ends the job at its stored idle deadline after a restart', async () => {
    const first = await startTestApp({
      dataDir: dir.path,
      env: ENV,
      clock: new FakeClock(new Date(t0)),
    });
    const { worker, request } = await runningJob(first, 'idle-restart');
    first.clock.advance(2 * MINUTE);
    await first.jobs.reportActivity(worker.uuid, AGENT); // idle deadline t0 + 12m
    await first.app.close();

    const clock = new FakeClock(new Date(t0 + 3 * MINUTE));
    second = await startTestApp({ dataDir: dir.path, env: ENV, clock });
    const t = second;
    const reasons = endReasons(t);
    await t.settle();
    clock.set(new Date(t0 + 12 * MINUTE - 1));
    await t.settle();
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('IN PROGRESS');
    clock.set(new Date(t0 + 12 * MINUTE));
    await waitFor(
      async () => (await t.requests.get(request.id, ADMIN)).request.state === 'DONE',
      'idle deadline after restart',
    );
    expect(reasons.get(request.id)).toBe('idle');
  });
});
