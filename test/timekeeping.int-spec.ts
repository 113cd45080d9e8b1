import { TESTER, ADMIN } from './support/actors';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { startTestApp, TestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('timekeeping: deadlines, validAfter, job timeouts, prolong', () => {
  const dir = tempDir();
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ dataDir: dir.path, env: { LESHY_MAX_PROLONGS: '2' } });
  });
  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  const stateOf = async (id: number) => (await t.requests.get(id, ADMIN)).request.state;

  it('times out a WAITING request when its deadline passes, not before', async () => {
    const request = await t.requests.create(
      requestInput({
        caps: { board: 'absent' },
        deadline: new Date(t.clock.now().getTime() + 10 * MINUTE),
      }),
      TESTER,
    );
    t.clock.advance(10 * MINUTE - 1);
    await t.settle();
    expect(await stateOf(request.id)).toBe('WAITING');
    t.clock.advance(1);
    await waitFor(async () => (await stateOf(request.id)) === 'TIMEOUT', 'TIMEOUT');
  });

  it('does not match a request before its validAfter, and matches it then', async () => {
    const worker = await idleWorker(t, { board: 'later' });
    const request = await t.requests.create(
      requestInput({
        caps: { board: 'later' },
        validAfter: new Date(t.clock.now().getTime() + 5 * MINUTE),
      }),
      TESTER,
    );
    await t.settle();
    expect(await stateOf(request.id)).toBe('WAITING');
    t.clock.advance(5 * MINUTE);
    await waitFor(async () => (await stateOf(request.id)) === 'IN PROGRESS', 'IN PROGRESS');
    expect((await t.requests.get(request.id, ADMIN)).job?.workerUuid).toBe(worker.uuid);
    await t.requests.close(request.id, TESTER);
    await t.settle();
  });

  it('ends a job when its timeout passes: DONE, worker prepared again and IDLE', async () => {
    const worker = await idleWorker(t, { board: 'timeout' });
    const request = await t.requests.create(requestInput({ caps: { board: 'timeout' } }), TESTER);
    await t.settle();
    expect(await stateOf(request.id)).toBe('IN PROGRESS');
    const prepares = t.dryad.countOf('prepare', worker.uuid);
    t.clock.advance(HOUR - 1);
    await t.settle();
    expect(await stateOf(request.id)).toBe('IN PROGRESS');
    t.clock.advance(1);
    await waitFor(async () => (await stateOf(request.id)) === 'DONE', 'DONE by job timeout');
    await t.settle();
    expect((await t.workers.get(worker.uuid)).state).toBe('IDLE');
    expect(t.dryad.countOf('prepare', worker.uuid)).toBe(prepares + 1);
  });

  it('prolong moves the timeout to now + job timeout, up to LESHY_MAX_PROLONGS times', async () => {
    await idleWorker(t, { board: 'prolong' });
    const request = await t.requests.create(requestInput({ caps: { board: 'prolong' } }), TESTER);
    await t.settle();
    t.clock.advance(50 * MINUTE);
    const prolonged = await t.jobs.prolong(request.id, TESTER);
    expect(prolonged.timeoutAt).toEqual(new Date(t.clock.now().getTime() + HOUR));
    t.clock.advance(50 * MINUTE); // past the original timeout
    await t.settle();
    expect(await stateOf(request.id)).toBe('IN PROGRESS');
    await t.jobs.prolong(request.id, TESTER);
    await expect(t.jobs.prolong(request.id, TESTER)).rejects.toMatchObject({
      code: 'prolong-limit-reached',
    });
    t.clock.advance(HOUR);
    await waitFor(
      async () => (await stateOf(request.id)) === 'DONE',
      'DONE after the last prolong',
    );
  });

  it('the periodic sweep catches overdue work that no timer saw', async () => {
    const request = await t.requests.create(
      requestInput({
        caps: { board: 'absent' },
        deadline: new Date(t.clock.now().getTime() + MINUTE),
      }),
      TESTER,
    );
    t.clock.jump(2 * MINUTE);
    await t.timekeeper.sweep();
    expect(await stateOf(request.id)).toBe('TIMEOUT');
  });
});
