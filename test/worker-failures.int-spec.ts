import { ADMIN, AGENT, TESTER } from './support/actors';
import { DryadSupervisor } from '../src/supervision/dryad-supervisor.service';
import { requestInput } from './factories/request.factory';
import { idleWorker, workerRegistration } from './factories/worker.factory';
import { startTestAppPerSuite, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

describe('worker failures, maintenance and re-registration', () => {
  let t: TestApp;
  startTestAppPerSuite((app) => (t = app));

  async function runningOn(board: string) {
    const worker = await idleWorker(t, { board });
    const request = await t.requests.create(requestInput({ caps: { board } }), TESTER);
    await t.settle();
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('IN PROGRESS');
    return { worker, request };
  }

  it('a worker failing mid-job fails its request, keeps the reason, and is not prepared', async () => {
    const { worker, request } = await runningOn('fail-mid-job');
    const prepares = t.dryad.countOf('prepare', worker.uuid);
    await t.workers.reportFailure(worker.uuid, 'STM not answering on /dev/ttyS2', AGENT);
    await t.settle();
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('FAILED');
    const failed = await t.workers.get(worker.uuid);
    expect(failed.state).toBe('FAILED');
    expect(failed.failReason).toBe('STM not answering on /dev/ttyS2');
    expect(t.dryad.countOf('prepare', worker.uuid)).toBe(prepares);
    await expect(t.jobs.acquire(request.id, TESTER)).rejects.toMatchObject({
      code: 'worker-not-assigned',
    });
  });

  it('an admin taking a running worker to maintenance fails its request', async () => {
    const { worker, request } = await runningOn('maint-mid-job');
    await t.workers.setState(worker.uuid, 'MAINTENANCE', ADMIN);
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('FAILED');
    await waitFor(
      async () => (await t.workers.get(worker.uuid)).state === 'MAINTENANCE',
      'MAINTENANCE',
    );
  });

  it('a failed prepare leaves the worker FAILED with the reason', async () => {
    const { uuid } = await t.workers.register(
      workerRegistration({ caps: { board: 'bad-prepare' } }),
      AGENT,
    );
    t.dryad.failing.set(uuid, 'cannot create job user');
    await t.workers.setState(uuid, 'IDLE', ADMIN);
    await t.settle();
    const worker = await t.workers.get(uuid);
    expect(worker.state).toBe('FAILED');
    expect(worker.failReason).toBe('prepare failed: cannot create job user');
  });

  it('a FAILED worker registering again unchanged is prepared again and becomes IDLE', async () => {
    const input = workerRegistration({ caps: { board: 'comes-back' } });
    await t.workers.register(input, AGENT);
    t.dryad.failing.set(input.uuid, 'broken');
    await t.workers.setState(input.uuid, 'IDLE', ADMIN);
    await t.settle();
    expect((await t.workers.get(input.uuid)).state).toBe('FAILED');
    t.dryad.failing.delete(input.uuid);
    expect((await t.workers.register(input, AGENT)).state).toBe('PREPARE');
    await t.settle();
    expect((await t.workers.get(input.uuid)).state).toBe('IDLE');
  });

  it('a running worker whose agent restarts (same config) fails its job and is prepared again', async () => {
    const { worker, request } = await runningOn('restarted');
    const again = await t.workers.register(
      workerRegistration({ uuid: worker.uuid, caps: { board: 'restarted' } }),
      AGENT,
    );
    expect(again.state).toBe('PREPARE');
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('FAILED');
    await t.settle();
    expect((await t.workers.get(worker.uuid)).state).toBe('IDLE');
  });

  it('registering again with changed caps takes the worker to BUSY, then MAINTENANCE', async () => {
    const worker = await idleWorker(t, { board: 'changes' });
    const again = await t.workers.register(
      workerRegistration({ uuid: worker.uuid, caps: { board: 'changes', extra: 'yes' } }),
      AGENT,
    );
    expect(again.state).toBe('BUSY');
    await t.settle();
    const maintained = await t.workers.get(worker.uuid);
    expect(maintained.state).toBe('MAINTENANCE');
    expect(maintained.caps.extra).toBe('yes');
  });

  it('a maintenance the agent cannot confirm still ends in MAINTENANCE, with the reason kept', async () => {
    const worker = await idleWorker(t, { board: 'unreachable' });
    t.dryad.failing.set(worker.uuid, 'connection refused');
    await t.workers.setState(worker.uuid, 'MAINTENANCE', ADMIN);
    await t.settle();
    const after = await t.workers.get(worker.uuid);
    expect(after.state).toBe('MAINTENANCE');
    expect(after.failReason).toContain('connection refused');
  });

  it('a prepare overtaken by maintenance is abandoned, never applied late', async () => {
    const { uuid } = await t.workers.register(
      workerRegistration({ caps: { board: 'overtaken' } }),
      AGENT,
    );
    t.dryad.hold();
    await t.workers.setState(uuid, 'IDLE', ADMIN);
    await waitFor(() => t.dryad.countOf('prepare', uuid) === 1, 'prepare to start');
    await t.workers.setState(uuid, 'MAINTENANCE', ADMIN);
    t.dryad.release();
    await t.settle();
    expect((await t.workers.get(uuid)).state).toBe('MAINTENANCE');
  });

  it("a failing health check takes an IDLE worker to FAILED with the agent's reason", async () => {
    const healthy = await idleWorker(t, { board: 'health-ok' });
    const sick = await idleWorker(t, { board: 'health-bad' });
    t.dryad.failing.set(sick.uuid, 'STM not answering on /dev/ttyS2 (timeout after 2000 ms)');
    await t.app.get(DryadSupervisor).runHealthChecks();
    expect(t.dryad.countOf('healthcheck', healthy.uuid)).toBeGreaterThan(0);
    expect((await t.workers.get(healthy.uuid)).state).toBe('IDLE');
    const failed = await t.workers.get(sick.uuid);
    expect(failed.state).toBe('FAILED');
    expect(failed.failReason).toBe(
      'health check failed: STM not answering on /dev/ttyS2 (timeout after 2000 ms)',
    );
  });

  it('does not health-check a worker matched after the round listed it (no power tick mid-job)', async () => {
    const worker = await idleWorker(t, { board: 'matched-meanwhile' });
    const listAll = t.workers.all.bind(t.workers);
    let interleaved = false;
    const listing = jest.spyOn(t.workers, 'all').mockImplementationOnce(async () => {
      const listed = await listAll();
      interleaved = true;
      // Between the round's listing and its checks, a request takes the worker.
      await t.requests.create(requestInput({ caps: { board: 'matched-meanwhile' } }), TESTER);
      await t.settle();
      return listed;
    });
    try {
      await t.app.get(DryadSupervisor).runHealthChecks();
    } finally {
      listing.mockRestore();
    }
    expect(interleaved).toBe(true);
    expect((await t.workers.get(worker.uuid)).state).toBe('RUNNING');
    expect(t.dryad.countOf('healthcheck', worker.uuid)).toBe(0);
  });
});
