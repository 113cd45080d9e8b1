import { ADMIN, AGENT, TESTER } from './support/actors';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { oneCalendarMonthAfter } from '../src/common/calendar-month';
import { requestInput } from './factories/request.factory';
import { idleWorker, workerRegistration } from './factories/worker.factory';
import { startTestAppPerSuite, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

describe('request and worker lifecycle through the services', () => {
  let t: TestApp;
  startTestAppPerSuite((app) => (t = app));

  it('registers a new worker in MAINTENANCE with its UUID among its caps', async () => {
    const input = workerRegistration({ caps: { board: 'odroid', arch: 'armv7' } });
    const worker = await t.workers.register(input, AGENT);
    expect(worker.state).toBe('MAINTENANCE');
    expect(worker.caps).toEqual({ UUID: input.uuid, arch: 'armv7', board: 'odroid' });
    expect(Object.keys(worker.caps)).toEqual(['UUID', 'arch', 'board']);
  });

  it('prepares a worker set IDLE by an admin, then serves, closes and prepares it again', async () => {
    const worker = await idleWorker(t, { board: 'lifecycle' });
    expect(t.dryad.countOf('prepare', worker.uuid)).toBe(1);

    const request = await t.requests.create(requestInput({ caps: { board: 'lifecycle' } }), TESTER);
    await t.settle();
    const running = await t.requests.get(request.id, ADMIN);
    expect(running.request.state).toBe('IN PROGRESS');
    expect(running.job?.workerUuid).toBe(worker.uuid);
    expect(running.job!.timeoutAt.getTime()).toBe(running.job!.startedAt.getTime() + 3_600_000);
    expect((await t.workers.get(worker.uuid)).state).toBe('RUNNING');

    const access = await t.jobs.acquire(request.id, TESTER);
    expect(access.username).toBe('boruta-user');
    expect(access.key!.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const publicFromPrivate = createPublicKey(createPrivateKey(access.key!.privateKeyPem)).export({
      format: 'jwk',
    });
    expect(publicFromPrivate.kty).toBe('RSA');
    // The key handed out is the one the worker was prepared with.
    expect(
      t.dryad.calls.find((c) => c.operation === 'prepare' && c.uuid === worker.uuid)?.argument,
    ).toBe(access.key!.publicKeySsh);
    expect(access.tunnel.port).toBeGreaterThan(0);

    await t.requests.close(request.id, TESTER);
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('DONE');
    await t.settle();
    expect((await t.workers.get(worker.uuid)).state).toBe('IDLE');
    expect(t.dryad.countOf('prepare', worker.uuid)).toBe(2);
  });

  it('cancels a WAITING request and refuses to close it twice', async () => {
    const request = await t.requests.create(requestInput({ caps: { board: 'nowhere' } }), TESTER);
    expect((await t.requests.close(request.id, TESTER)).state).toBe('CANCELLED');
    await expect(t.requests.close(request.id, TESTER)).rejects.toMatchObject({
      code: 'action-not-allowed-in-state',
      kind: 'conflict',
    });
  });

  it('validates priorities and times with typed errors', async () => {
    const now = t.clock.now().getTime();
    await expect(t.requests.create(requestInput({ priority: 0 }), TESTER)).rejects.toMatchObject({
      code: 'priority-out-of-bounds',
    });
    await expect(t.requests.create(requestInput({ priority: 17 }), TESTER)).rejects.toMatchObject({
      code: 'priority-out-of-bounds',
    });
    await expect(
      t.requests.create(requestInput({ deadline: new Date(now - 1000) }), TESTER),
    ).rejects.toMatchObject({
      code: 'deadline-in-past',
    });
    await expect(
      t.requests.create(
        requestInput({ validAfter: new Date(now + 2000), deadline: new Date(now + 1000) }),
        TESTER,
      ),
    ).rejects.toMatchObject({ code: 'illegal-time-range' });
    await expect(t.requests.get(999_999, ADMIN)).rejects.toMatchObject({
      code: 'request-not-found',
      kind: 'not-found',
    });
  });

  it('applies the defaults: validAfter now, deadline one calendar month later (as upstream)', async () => {
    const request = await t.requests.create(requestInput({ caps: { board: 'nowhere' } }), TESTER);
    expect(request.validAfter).toEqual(t.clock.now());
    // Not now + 30 days (the suite's clock is in January, whose month has 31).
    expect(request.deadline).toEqual(oneCalendarMonthAfter(t.clock.now()));
  });

  it('acquire and prolong need a running job', async () => {
    const request = await t.requests.create(requestInput({ caps: { board: 'nowhere' } }), TESTER);
    await expect(t.jobs.acquire(request.id, TESTER)).rejects.toMatchObject({
      code: 'worker-not-assigned',
    });
    await expect(t.jobs.prolong(request.id, TESTER)).rejects.toMatchObject({
      code: 'worker-not-assigned',
    });
  });

  it('only lets admins set IDLE (from MAINTENANCE) or MAINTENANCE', async () => {
    const worker = await idleWorker(t, { board: 'admin-only' });
    await expect(t.workers.setState(worker.uuid, 'RUNNING', ADMIN)).rejects.toMatchObject({
      code: 'only-idle-or-maintenance',
    });
    await expect(t.workers.setState(worker.uuid, 'IDLE', ADMIN)).rejects.toMatchObject({
      code: 'forbidden-state-change',
    });
    await expect(t.workers.deregister(worker.uuid, ADMIN)).rejects.toMatchObject({
      code: 'not-in-fail-or-maintenance',
    });
    await t.workers.setState(worker.uuid, 'MAINTENANCE', ADMIN);
    await waitFor(
      async () => (await t.workers.get(worker.uuid)).state === 'MAINTENANCE',
      'MAINTENANCE',
    );
    expect(t.dryad.countOf('maintenance', worker.uuid)).toBe(1);
    await t.workers.deregister(worker.uuid, ADMIN);
    await expect(t.workers.get(worker.uuid)).rejects.toMatchObject({ code: 'worker-not-found' });
  });

  it('stores groups sorted and without duplicates', async () => {
    const { uuid } = await t.workers.register(workerRegistration(), AGENT);
    const worker = await t.workers.setGroups(uuid, ['lab-b', 'lab-a', 'lab-b'], ADMIN);
    expect(worker.groups).toEqual(['lab-a', 'lab-b']);
  });
});
