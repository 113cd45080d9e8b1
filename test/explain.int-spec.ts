import { ADMIN, AGENT } from './support/actors';
import { V2Caller, v2Caller } from './support/api-v2-client';
import { idleWorker, workerRegistration } from './factories/worker.factory';
import { requestInput } from './factories/request.factory';
import { startTestAppPerSuite, TestApp } from './support/test-app';

interface ExplanationJson {
  requestId: number;
  state: string;
  ready: boolean;
  position: { inPriority: number; overall: number } | null;
  workers: Array<{ uuid: string; reason: string; detail: string }>;
  estimatedStart: string | null;
  missingCaps: string[];
  summary: string;
  code: string;
  detail: string;
}

/** GET /api/v2/requests/:id/explain over HTTP, on the real queue and workers. */
describe('API v2 explain', () => {
  let t: TestApp;
  let alice: V2Caller<ExplanationJson>;
  let admin: V2Caller<ExplanationJson>;
  startTestAppPerSuite((app) => (t = app), { http: true });

  beforeAll(async () => {
    const baseUrl = await t.app.getUrl();
    alice = await v2Caller(t, baseUrl, 'alice', 'tester');
    admin = await v2Caller(t, baseUrl, 'root', 'admin');
  });

  const explain = (id: number) => alice.call('GET', `/api/v2/requests/${id}/explain`);
  const verdictOf = (e: ExplanationJson, uuid: string) => e.workers.find((w) => w.uuid === uuid);

  it('says why a waiting request waits: a running job, maintenance, caps, and its place', async () => {
    const busy = await idleWorker(t, { board: 'explain' });
    const first = await t.requests.create(
      requestInput({ caps: { board: 'explain' } }),
      alice.actor,
    );
    await t.settle();
    const away = await idleWorker(t, { board: 'explain' });
    await admin.call('POST', `/api/v2/workers/${away.uuid}/maintenance`, {
      message: 'new SD card',
    });
    await t.settle();
    const other = await t.workers.register(
      workerRegistration({ caps: { board: 'explain-other' } }),
      AGENT,
    );
    const second = await t.requests.create(
      requestInput({ caps: { board: 'explain' } }),
      alice.actor,
    );
    const third = await t.requests.create(
      requestInput({ caps: { board: 'explain' } }),
      alice.actor,
    );
    await t.settle();

    const response = await explain(third.id);
    expect(response.status).toBe(200);
    const e = response.body;
    expect(e).toMatchObject({
      requestId: third.id,
      state: 'WAITING',
      ready: true,
      position: { inPriority: 2, overall: 2 },
      missingCaps: [],
    });
    const job = (await t.requests.get(first.id, ADMIN)).job!;
    expect(verdictOf(e, busy.uuid)).toEqual({
      uuid: busy.uuid,
      reason: 'running',
      detail: `running request ${first.id} until ${job.timeoutAt.toISOString()}`,
    });
    expect(verdictOf(e, away.uuid)).toMatchObject({
      reason: 'maintenance',
      detail: 'in maintenance: new SD card',
    });
    expect(verdictOf(e, other.uuid)).toMatchObject({
      reason: 'cap',
      detail: 'cap board is explain-other, asked explain',
    });
    expect(e.estimatedStart).not.toBeNull();
    expect(e.summary).toMatch(
      /^2nd in the queue; 2 workers could serve it, 1 busy, 1 in maintenance; estimated start in \d+ (min|h)$/,
    );
    expect((await explain(second.id)).body.position).toEqual({ inPriority: 1, overall: 1 });
  });

  it('names the caps no registered worker has', async () => {
    const request = await t.requests.create(
      requestInput({ caps: { board: 'explain', ram_gb: '64' } }),
      alice.actor,
    );
    const e = (await explain(request.id)).body;
    expect(e.missingCaps).toEqual(['ram_gb=64']);
    expect(e.estimatedStart).toBeNull();
    expect(e.summary).toBe('no registered worker can serve it: no worker has ram_gb=64');
    expect(e.workers.every((w) => w.reason === 'cap')).toBe(true);
  });

  it('says where a request is once it is not waiting', async () => {
    const worker = await idleWorker(t, { board: 'explain-now' });
    const request = await t.requests.create(
      requestInput({ caps: { board: 'explain-now' } }),
      alice.actor,
    );
    await t.settle();
    const e = (await explain(request.id)).body;
    expect(e).toMatchObject({ state: 'IN PROGRESS', workers: [], position: null });
    expect(e.summary).toMatch(new RegExp(`^in progress on worker ${worker.uuid} until `));
  });

  it('refuses a bad id and answers 404 for an unknown one', async () => {
    const bad = await explain('x' as unknown as number);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/request id in the path must be an integer/);
    const missing = await explain(999_999);
    expect(missing.status).toBe(404);
    expect(missing.header('Content-Type')).toMatch(/^application\/problem\+json/);
  });
});
