import { ADMIN, AGENT, TESTER } from './support/actors';
import { ServerSshKeyService } from '../src/keys/server-ssh-key.service';
import { FakeClock } from './fakes/fake-clock';
import { FakeDryad } from './fakes/fake-dryad';
import { requestInput } from './factories/request.factory';
import { idleWorker, workerRegistration } from './factories/worker.factory';
import { startTestApp, TestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

const MINUTE = 60_000;

describe('restart: the database is the truth, timers are rebuilt from it', () => {
  const dir = tempDir();
  const t0 = new Date('2031-05-01T12:00:00Z').getTime();
  let second: TestApp | undefined;

  afterAll(async () => {
    await second?.close();
    dir.remove();
  });

  it('keeps queue, workers and jobs, and fires every timer at its time after a restart', async () => {
    const first = await startTestApp({ dataDir: dir.path, clock: new FakeClock(new Date(t0)) });
    const running = await idleWorker(first, { board: 'r-run' });
    const runningRequest = await first.requests.create(
      requestInput({ caps: { board: 'r-run' } }),
      TESTER,
    );
    await first.settle();
    expect((await first.requests.get(runningRequest.id, ADMIN)).request.state).toBe('IN PROGRESS'); // job ends at t0+60m
    const waitingFor = await idleWorker(first, { board: 'r-later' });
    const later = await first.requests.create(
      requestInput({ caps: { board: 'r-later' }, validAfter: new Date(t0 + 30 * MINUTE) }),
      TESTER,
    );
    const doomed = await first.requests.create(
      requestInput({ caps: { board: 'r-absent' }, deadline: new Date(t0 + 45 * MINUTE) }),
      TESTER,
    );
    const interrupted = workerRegistration({ caps: { board: 'r-prep' } });
    await first.workers.register(interrupted, AGENT);
    first.dryad.hold(); // the prepare of this worker is cut short by the shutdown
    await first.workers.setState(interrupted.uuid, 'IDLE', ADMIN);
    await waitFor(() => first.dryad.countOf('prepare', interrupted.uuid) === 1, 'prepare to start');
    await first.app.close();
    first.dryad.release(); // too late: the stopped server does not record it

    // A new process on the same database, ten minutes later.
    const clock = new FakeClock(new Date(t0 + 10 * MINUTE));
    const dryad = new FakeDryad();
    second = await startTestApp({ dataDir: dir.path, clock, dryad });
    const t = second;
    await t.settle();
    expect((await t.requests.get(runningRequest.id, ADMIN)).request.state).toBe('IN PROGRESS');
    expect((await t.requests.get(later.id, ADMIN)).request.state).toBe('WAITING');
    expect((await t.requests.get(doomed.id, ADMIN)).request.state).toBe('WAITING');
    expect((await t.workers.get(running.uuid)).state).toBe('RUNNING');
    expect((await t.workers.get(waitingFor.uuid)).state).toBe('IDLE');
    // The interrupted prepare is resumed from the database.
    expect(dryad.countOf('prepare', interrupted.uuid)).toBe(1);
    expect((await t.workers.get(interrupted.uuid)).state).toBe('IDLE');
    // The running job still gives access (its tunnel came back).
    expect((await t.jobs.acquire(runningRequest.id, TESTER)).tunnel.port).toBeGreaterThan(0);

    clock.set(new Date(t0 + 30 * MINUTE - 1));
    await t.settle();
    expect((await t.requests.get(later.id, ADMIN)).request.state).toBe('WAITING');
    clock.set(new Date(t0 + 30 * MINUTE));
    await waitFor(
      async () => (await t.requests.get(later.id, ADMIN)).request.state === 'IN PROGRESS',
      'validAfter after restart',
    );
    expect((await t.requests.get(later.id, ADMIN)).job?.workerUuid).toBe(waitingFor.uuid);

    clock.set(new Date(t0 + 45 * MINUTE - 1));
    await t.settle();
    expect((await t.requests.get(doomed.id, ADMIN)).request.state).toBe('WAITING');
    clock.set(new Date(t0 + 45 * MINUTE));
    await waitFor(
      async () => (await t.requests.get(doomed.id, ADMIN)).request.state === 'TIMEOUT',
      'deadline after restart',
    );

    clock.set(new Date(t0 + 60 * MINUTE - 1));
    await t.settle();
    expect((await t.requests.get(runningRequest.id, ADMIN)).request.state).toBe('IN PROGRESS');
    clock.set(new Date(t0 + 60 * MINUTE));
    await waitFor(
      async () => (await t.requests.get(runningRequest.id, ADMIN)).request.state === 'DONE',
      'job timeout after restart',
    );
    await t.settle();
    expect((await t.workers.get(running.uuid)).state).toBe('IDLE');
  });
});

describe('restart: the server keeps its own SSH key', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  // Agents learnt the key at registration and accept no other for control commands.
  it('has the same public key after a restart on the same database', async () => {
    const first = await startTestApp({ dataDir: dir.path });
    const before = first.app.get(ServerSshKeyService).publicKey;
    await first.close();
    const second = await startTestApp({ dataDir: dir.path });
    const after = second.app.get(ServerSshKeyService).publicKey;
    await second.close();
    expect(before).toMatch(/^ssh-ed25519 /);
    expect(after).toBe(before);
  });
});
