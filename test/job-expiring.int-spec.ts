import { DomainEventBus } from '../src/events/domain-event-bus';
import { EventOfType } from '../src/events/domain-event';
import { FakeClock } from './fakes/fake-clock';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { ADMIN, TESTER } from './support/actors';
import { tempDir } from './support/temp-dir';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Every job.expiring event `t` publishes, in order. */
function expiringEvents(t: TestApp): Array<EventOfType<'job.expiring'>> {
  const seen: Array<EventOfType<'job.expiring'>> = [];
  t.app.get(DomainEventBus).on('job.expiring', (e) => void seen.push(e));
  return seen;
}

async function runningJob(t: TestApp, board: string): Promise<number> {
  await idleWorker(t, { board });
  const request = await t.requests.create(requestInput({ caps: { board } }), TESTER);
  await t.settle();
  expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('IN PROGRESS');
  return request.id;
}

describe('job.expiring: a running job nears its timeout (LESHY_EXPIRY_WARNING)', () => {
  const dir = tempDir();
  let t: TestApp;
  let seen: Array<EventOfType<'job.expiring'>>;
  const clock = new FakeClock('2030-01-01T00:00:00Z');

  beforeAll(async () => {
    t = await startTestApp({ dataDir: dir.path, clock });
    seen = expiringEvents(t);
  });
  afterAll(async () => {
    await t?.close();
    dir.remove();
  });

  it('warns once, 5 minutes before the timeout, not before; a prolong warns again', async () => {
    const id = await runningJob(t, 'warn');
    const ofJob = () => seen.filter((e) => e.job.requestId === id);
    clock.advance(HOUR - 5 * MINUTE - 1);
    await t.settle();
    expect(ofJob()).toEqual([]);
    clock.advance(1);
    await waitFor(() => ofJob().length === 1, 'job.expiring');
    const [warning] = ofJob();
    expect(warning.actor).toBe('system:timekeeper');
    expect(warning.reason).toContain('in 5m');
    expect(warning.job.timeoutAt.getTime() - warning.at.getTime()).toBe(5 * MINUTE);
    // The sweep finds nothing more to warn about.
    await t.timekeeper.sweep();
    clock.advance(MINUTE);
    await t.settle();
    expect(ofJob()).toHaveLength(1);

    await t.jobs.prolong(id, TESTER);
    clock.advance(HOUR - 5 * MINUTE);
    await waitFor(() => ofJob().length === 2, 'a second job.expiring after the prolong');
    expect(ofJob()[1].job.prolongCount).toBe(1);
    await t.requests.close(id, TESTER);
    await t.settle();
  });

  it('is audited like every event, with the warned timeout', async () => {
    const id = await runningJob(t, 'audited');
    clock.advance(HOUR - 5 * MINUTE);
    await waitFor(() => seen.some((e) => e.job.requestId === id), 'job.expiring');
    const warning = seen.find((e) => e.job.requestId === id)!;
    expect(warning.after).toEqual({
      expiryWarnedFor: warning.job.timeoutAt.toISOString(),
      timeoutAt: warning.job.timeoutAt.toISOString(),
    });
    await t.requests.close(id, TESTER);
    await t.settle();
  });

  it('the sweep warns a job whose timer was missed', async () => {
    const id = await runningJob(t, 'swept');
    clock.jump(HOUR - 2 * MINUTE);
    await t.timekeeper.sweep();
    expect(seen.filter((e) => e.job.requestId === id)).toHaveLength(1);
    await t.requests.close(id, TESTER);
    await t.settle();
  });
});

describe('job.expiring across a restart: derived from the database', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('warns a job due while the server was down once, and never twice', async () => {
    const t0 = new Date('2030-02-01T00:00:00Z').getTime();
    const first = await startTestApp({ dataDir: dir.path, clock: new FakeClock(new Date(t0)) });
    const warned = await runningJob(first, 'before');
    const firstSeen = expiringEvents(first);
    first.clock.advance(HOUR - 5 * MINUTE);
    await waitFor(() => firstSeen.length === 1, 'the first job.expiring');
    const notYet = await runningJob(first, 'after');
    const notYetTimeout = (await first.requests.get(notYet, ADMIN)).job!.timeoutAt.getTime();
    await first.close();

    const clock = new FakeClock(new Date(first.clock.now().getTime() + 3 * MINUTE));
    const second = await startTestApp({ dataDir: dir.path, clock });
    try {
      const seen = expiringEvents(second);
      await second.settle();
      await second.timekeeper.sweep();
      // The job warned before the restart is not warned again; the other is, at its time.
      expect(seen.map((e) => e.job.requestId)).not.toContain(warned);
      clock.set(new Date(notYetTimeout - 5 * MINUTE));
      await waitFor(
        () => seen.some((e) => e.job.requestId === notYet),
        'job.expiring of the second job',
      );
      expect(seen.filter((e) => e.job.requestId === notYet)).toHaveLength(1);
      expect(seen.map((e) => e.job.requestId)).not.toContain(warned);
    } finally {
      await second.close();
    }
  });
});

describe('LESHY_EXPIRY_WARNING=0', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('sends no job.expiring', async () => {
    const t = await startTestApp({ dataDir: dir.path, env: { LESHY_EXPIRY_WARNING: '0' } });
    try {
      const seen = expiringEvents(t);
      const id = await runningJob(t, 'silent');
      t.clock.advance(HOUR - MINUTE);
      await t.timekeeper.sweep();
      await t.settle();
      expect(seen).toEqual([]);
      expect((await t.requests.get(id, ADMIN)).request.state).toBe('IN PROGRESS');
    } finally {
      await t.close();
    }
  });
});
