import { ADMIN, AGENT } from './support/actors';
import { V2Caller, v2Caller } from './support/api-v2-client';
import { idleWorker, workerRegistration } from './factories/worker.factory';
import { requestInput } from './factories/request.factory';
import { startTestAppPerSuite, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

interface WorkerJson {
  uuid: string;
  state: string;
  groups: string[];
  job: { requestId: number; owner: string; startedAt: string; timeoutAt: string } | null;
  maintenance: { message: string | null; drain: boolean; by: string; at: string } | null;
  lastFailure: { at: string; reason: string | null } | null;
  failuresLastDay: number;
  health: Array<{ at: string; ok: boolean; reason: string | null }>;
}
/** Whatever a call answers, as this suite reads it: a worker, a page or a problem. */
type Json = WorkerJson & {
  items: WorkerJson[];
  nextCursor: string | null;
  total: number;
  code: string;
  detail: string;
  errors: string[];
};

/** API v2's worker routes over HTTP, on the real services, with FakeDryad for the agents. */
describe('API v2 workers', () => {
  let t: TestApp;
  let admin: V2Caller<Json>;
  let alice: V2Caller<Json>;
  startTestAppPerSuite((app) => (t = app), { http: true });

  beforeAll(async () => {
    const baseUrl = await t.app.getUrl();
    admin = await v2Caller<Json>(t, baseUrl, 'root', 'admin');
    alice = await v2Caller<Json>(t, baseUrl, 'alice', 'tester');
  });

  const stateOf = async (uuid: string) => (await t.workers.get(uuid)).state;
  const untilState = (uuid: string, state: string) =>
    waitFor(async () => (await stateOf(uuid)) === state, `worker ${uuid} to be ${state}`);

  async function running(board: string) {
    const worker = await idleWorker(t, { board });
    const request = await t.requests.create(requestInput({ caps: { board } }), alice.actor);
    await t.settle();
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('IN PROGRESS');
    return { worker, request };
  }

  it('lists workers filtered by state, caps and group, paged by cursor', async () => {
    const a = await idleWorker(t, { board: 'list-rpi4', arch: 'arm64' });
    const b = await idleWorker(t, { board: 'list-rpi4', arch: 'armv7' }, ['lab-x']);
    const { uuid: c } = await t.workers.register(
      workerRegistration({ caps: { board: 'list-rpi4', arch: 'arm64' } }),
      AGENT,
    );
    const page = await alice.call('GET', '/api/v2/workers?caps=board=list-rpi4,arch=arm64');
    expect(page.status).toBe(200);
    expect(page.body.items.map((w) => w.uuid).sort()).toEqual([a.uuid, c].sort());
    expect(page.body).toMatchObject({ total: 2, nextCursor: null });
    const idle = await alice.call('GET', '/api/v2/workers?caps=board=list-rpi4&state=IDLE');
    expect(idle.body.total).toBe(2);
    const maintenance = await alice.call(
      'GET',
      '/api/v2/workers?caps=board=list-rpi4&state=MAINTENANCE,FAILED',
    );
    expect(maintenance.body.items.map((w) => w.uuid)).toEqual([c]);
    const grouped = await alice.call('GET', '/api/v2/workers?group=lab-x');
    expect(grouped.body.items.map((w) => w.uuid)).toEqual([b.uuid]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const next = await alice.call('GET', `/api/v2/workers?caps=board=list-rpi4&limit=1${query}`);
      expect(next.status).toBe(200);
      expect(next.body.total).toBe(3);
      seen.push(...next.body.items.map((w) => w.uuid));
      cursor = next.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([a.uuid, b.uuid, c].sort());

    // A page's last worker deregistered before the next page is asked for: paging goes on.
    const [first, ...rest] = [a.uuid, b.uuid, c].sort();
    const one = await alice.call('GET', '/api/v2/workers?caps=board=list-rpi4&limit=1');
    await t.workers.setState(first, 'MAINTENANCE', ADMIN);
    await untilState(first, 'MAINTENANCE');
    await t.workers.deregister(first, ADMIN);
    const cursor2 = encodeURIComponent(one.body.nextCursor!);
    const after = await alice.call('GET', `/api/v2/workers?caps=board=list-rpi4&cursor=${cursor2}`);
    expect(after.status).toBe(200);
    expect(after.body.items.map((w) => w.uuid)).toEqual(rest);
  });

  it('refuses malformed filters, naming them', async () => {
    const cases: Array<[string, RegExp]> = [
      ['state=SLEEPING', /state "SLEEPING" is not a worker state/],
      ['caps=board', /caps filter item "board" is not key=value/],
      ['cursor=garbage', /cursor is not one this server gave out/],
      ['limit=0', /limit must not be less than 1/],
      ['colour=red', /property colour should not exist/],
    ];
    for (const [query, detail] of cases) {
      const response = await alice.call('GET', `/api/v2/workers?${query}`);
      expect(response.status).toBe(400);
      expect(response.header('Content-Type')).toMatch(/^application\/problem\+json/);
      expect(response.body.detail).toMatch(detail);
    }
    const badUuid = await alice.call('GET', '/api/v2/workers/not-a-uuid');
    expect(badUuid.status).toBe(400);
    const missing = await alice.call('GET', '/api/v2/workers/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('worker-not-found');
  });

  it('shows the running job with its owner, and failures and recoveries newest first', async () => {
    const { worker, request } = await running('health');
    const busy = await alice.call('GET', `/api/v2/workers/${worker.uuid}`);
    expect(busy.body).toMatchObject({
      uuid: worker.uuid,
      state: 'RUNNING',
      job: { requestId: request.id, owner: 'alice' },
      lastFailure: null,
      failuresLastDay: 0,
      health: [],
      maintenance: null,
    });
    expect(Date.parse(busy.body.job!.timeoutAt)).toBeGreaterThan(
      Date.parse(busy.body.job!.startedAt),
    );

    await t.workers.reportFailure(worker.uuid, 'dut does not boot', AGENT);
    t.clock.jump(1000);
    const back = await admin.call('POST', `/api/v2/workers/${worker.uuid}/idle`);
    expect(back.status).toBe(200);
    await untilState(worker.uuid, 'IDLE');
    const healthy = await alice.call('GET', `/api/v2/workers/${worker.uuid}`);
    expect(healthy.body).toMatchObject({
      state: 'IDLE',
      job: null,
      failReason: null,
      lastFailure: { reason: 'dut does not boot' },
      failuresLastDay: 1,
    });
    expect(healthy.body.health).toEqual([
      {
        at: expect.any(String),
        ok: true,
        reason: expect.stringMatching(/^set IDLE by an admin after a passed health check/),
      },
      { at: healthy.body.lastFailure!.at, ok: false, reason: 'dut does not boot' },
    ]);

    // A day later the failure is out of the window, but still the last one.
    t.clock.jump(25 * 60 * 60 * 1000);
    const later = await alice.call('GET', `/api/v2/workers?caps=board=health`);
    expect(later.body.items[0]).toMatchObject({
      lastFailure: { reason: 'dut does not boot' },
      failuresLastDay: 0,
    });
    expect((await alice.call('GET', `/api/v2/workers/${worker.uuid}`)).body.health).toEqual([]);
  });

  it('maintenance without drain fails the running job at once and shows the message', async () => {
    const { worker, request } = await running('maint-now');
    const response = await admin.call('POST', `/api/v2/workers/${worker.uuid}/maintenance`, {
      message: 'new SD card',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      state: 'BUSY',
      maintenance: { message: 'new SD card', drain: false, by: 'user:root' },
    });
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('FAILED');
    await untilState(worker.uuid, 'MAINTENANCE');
    const told = t.dryad.calls.filter(
      (c) => c.operation === 'maintenance' && c.uuid === worker.uuid,
    );
    expect(told.map((c) => c.argument)).toEqual(['new SD card']);
  });

  it('maintenance with drain lets the job finish, takes no new one, then goes to maintenance', async () => {
    const { worker, request } = await running('drain');
    const response = await admin.call('POST', `/api/v2/workers/${worker.uuid}/maintenance`, {
      message: 'PSU swap at 14:00',
      drain: true,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      state: 'RUNNING',
      job: { requestId: request.id },
      maintenance: { message: 'PSU swap at 14:00', drain: true, by: 'user:root' },
    });
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('IN PROGRESS');

    const next = await t.requests.create(requestInput({ caps: { board: 'drain' } }), alice.actor);
    await t.requests.close(request.id, alice.actor);
    await untilState(worker.uuid, 'MAINTENANCE');
    await t.settle();
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('DONE');
    expect((await t.requests.get(next.id, ADMIN)).request.state).toBe('WAITING');
    const told = t.dryad.calls.filter(
      (c) => c.operation === 'maintenance' && c.uuid === worker.uuid,
    );
    expect(told.map((c) => c.argument)).toEqual(['PSU swap at 14:00']);

    // Back in service: the order is cleared and the waiting request gets the worker.
    expect((await admin.call('POST', `/api/v2/workers/${worker.uuid}/idle`)).status).toBe(200);
    await t.settle();
    expect((await t.requests.get(next.id, ADMIN)).request.state).toBe('IN PROGRESS');
    const serving = await alice.call('GET', `/api/v2/workers/${worker.uuid}`);
    expect(serving.body).toMatchObject({ state: 'RUNNING', maintenance: null });
  });

  it('a worker being drained that fails goes to the ordered maintenance, its reason kept', async () => {
    const { worker, request } = await running('drain-fails');
    await admin.call('POST', `/api/v2/workers/${worker.uuid}/maintenance`, {
      message: 'bench move',
      drain: true,
    });
    await t.workers.reportFailure(worker.uuid, 'DUT console gone', AGENT);
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('FAILED');
    await untilState(worker.uuid, 'MAINTENANCE');
    const after = await alice.call('GET', `/api/v2/workers/${worker.uuid}`);
    expect(after.body).toMatchObject({
      failReason: 'DUT console gone',
      maintenance: { message: 'bench move', drain: true },
      lastFailure: { reason: 'DUT console gone' },
    });
    const told = t.dryad.calls.filter(
      (c) => c.operation === 'maintenance' && c.uuid === worker.uuid,
    );
    expect(told.map((c) => c.argument)).toEqual(['bench move']);
  });

  it('a worker being drained whose agent restarts goes to the ordered maintenance', async () => {
    const registration = workerRegistration({ caps: { board: 'drain-restart' } });
    await t.workers.register(registration, AGENT);
    await admin.call('POST', `/api/v2/workers/${registration.uuid}/idle`);
    await untilState(registration.uuid, 'IDLE');
    const request = await t.requests.create(
      requestInput({ caps: { board: 'drain-restart' } }),
      alice.actor,
    );
    await t.settle();
    await admin.call('POST', `/api/v2/workers/${registration.uuid}/maintenance`, { drain: true });
    await t.workers.register(registration, AGENT);
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('FAILED');
    await untilState(registration.uuid, 'MAINTENANCE');
    expect((await t.workers.get(registration.uuid)).failReason).toBe('agent restarted');
  });

  it('idle on a RUNNING worker being drained cancels the drain', async () => {
    const { worker, request } = await running('drain-cancel');
    await admin.call('POST', `/api/v2/workers/${worker.uuid}/maintenance`, { drain: true });
    const cancelled = await admin.call('POST', `/api/v2/workers/${worker.uuid}/idle`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ state: 'RUNNING', maintenance: null });
    await t.requests.close(request.id, alice.actor);
    await untilState(worker.uuid, 'IDLE');
  });

  it('answers illegal state changes with 409 naming the state', async () => {
    const worker = await idleWorker(t, { board: 'conflicts' });
    const idle = await admin.call('POST', `/api/v2/workers/${worker.uuid}/idle`);
    expect(idle.status).toBe(409);
    expect(idle.body).toMatchObject({ code: 'worker-state-conflict' });
    expect(idle.body.detail).toMatch(/is IDLE: it cannot be set IDLE/);
    const removed = await admin.call('DELETE', `/api/v2/workers/${worker.uuid}`);
    expect(removed.status).toBe(409);
    expect(removed.body.detail).toMatch(/is IDLE: only a worker in FAILED or MAINTENANCE/);

    await t.workers.reportFailure(worker.uuid, 'STM not answering', AGENT);
    t.dryad.failing.set(worker.uuid, 'STM still not answering');
    const unhealthy = await admin.call('POST', `/api/v2/workers/${worker.uuid}/idle`);
    expect(unhealthy.status).toBe(409);
    expect(unhealthy.body).toMatchObject({ code: 'health-check-failed' });
    expect(unhealthy.body.detail).toMatch(/stays FAILED: STM still not answering/);
    expect(await stateOf(worker.uuid)).toBe('FAILED');
    t.dryad.failing.delete(worker.uuid);
  });

  it('refuses bad maintenance and groups bodies, naming the field', async () => {
    const worker = await idleWorker(t, { board: 'bodies' });
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', 'maintenance', { message: 'x'.repeat(201) }, /message must be shorter than/],
      ['POST', 'maintenance', { message: 'two\nlines' }, /without control characters/],
      ['POST', 'maintenance', { drain: 'yes' }, /drain must be a boolean/],
      ['POST', 'maintenance', { reason: 'typo' }, /property reason should not exist/],
      ['PUT', 'groups', { groups: 'lab-a' }, /groups must be an array/],
      ['PUT', 'groups', {}, /groups must be an array/],
    ];
    for (const [method, route, body, detail] of cases) {
      const response = await admin.call(method, `/api/v2/workers/${worker.uuid}/${route}`, body);
      expect(response.status).toBe(400);
      expect(response.body.detail).toMatch(detail);
      expect(response.body.errors.length).toBeGreaterThan(0);
    }
    expect(await stateOf(worker.uuid)).toBe('IDLE');
  });

  it('sets groups and deregisters a worker in maintenance', async () => {
    const worker = await idleWorker(t, { board: 'groups-and-goodbye' });
    const grouped = await admin.call('PUT', `/api/v2/workers/${worker.uuid}/groups`, {
      groups: ['lab-b', 'lab-a'],
    });
    expect(grouped.status).toBe(200);
    expect(grouped.body.groups).toEqual(['lab-a', 'lab-b']);
    const order = await admin.call('POST', `/api/v2/workers/${worker.uuid}/maintenance`, {});
    expect(order.body.maintenance).toMatchObject({ message: null, drain: false });
    await untilState(worker.uuid, 'MAINTENANCE');
    expect(
      t.dryad.calls.filter((c) => c.uuid === worker.uuid && c.operation === 'maintenance'),
    ).toEqual([{ operation: 'maintenance', uuid: worker.uuid, argument: 'MAINTENANCE' }]);
    const removed = await admin.call('DELETE', `/api/v2/workers/${worker.uuid}`);
    expect(removed.status).toBe(204);
    expect(removed.body).toBeNull();
    expect((await alice.call('GET', `/api/v2/workers/${worker.uuid}`)).status).toBe(404);
  });

  it('keeps the admin routes for admins', async () => {
    const worker = await idleWorker(t, { board: 'admins-only' });
    const refused = await alice.call('POST', `/api/v2/workers/${worker.uuid}/maintenance`, {});
    expect(refused.status).toBe(403);
    expect(await stateOf(worker.uuid)).toBe('IDLE');
  });
});
