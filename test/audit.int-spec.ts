import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { ApiUser, apiUser } from './support/api-users';
import { rawRequest } from './support/http-client';
import { startTestAppPerSuite, TestApp } from './support/test-app';

type Person = ApiUser;

interface Entry {
  id: number;
  type: string;
  at: string;
  actor: string;
  requestId: number | null;
  workerUuid: string | null;
}
interface Page {
  items: Entry[];
  nextCursor: string | null;
  total: number;
}

const MINUTE = 60_000;

describe('GET /api/v2/audit: who did what, newest first', () => {
  let t: TestApp;
  let baseUrl: string;
  let alice: Person;
  let bob: Person;
  let admin: Person;
  let aliceRequest: number;
  let bobRequest: number;
  let workerUuid: string;
  let before: string;
  startTestAppPerSuite((app) => (t = app), { http: true });

  async function audit(
    who: Person,
    query = '',
  ): Promise<{ status: number; body: Page & { detail?: string } }> {
    const response = await rawRequest(baseUrl, 'GET', `/api/v2/audit${query}`, {
      headers: { Authorization: `Bearer ${who.secret}` },
    });
    return { status: response.status, body: JSON.parse(response.body) as Page };
  }

  beforeAll(async () => {
    baseUrl = await t.app.getUrl();
    alice = await apiUser(t, 'alice', 'tester');
    bob = await apiUser(t, 'bob', 'tester');
    admin = await apiUser(t, 'root', 'admin');
    before = t.clock.now().toISOString();
    t.clock.advance(10 * MINUTE);
    const worker = await idleWorker(t, { board: 'audited' });
    workerUuid = worker.uuid;
    aliceRequest = (
      await t.requests.create(requestInput({ caps: { board: 'audited' } }), alice.actor)
    ).id;
    await t.settle();
    bobRequest = (
      await t.requests.create(requestInput({ caps: { board: 'elsewhere' } }), bob.actor)
    ).id;
    await t.requests.close(aliceRequest, alice.actor);
    await t.settle();
  });

  it('gives admins every entry, newest first', async () => {
    const { status, body } = await audit(admin, '?limit=1000');
    expect(status).toBe(200);
    expect(body.total).toBe(body.items.length);
    const ids = body.items.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const types = new Set(body.items.map((e) => e.type));
    for (const type of [
      'user.created',
      'token.created',
      'worker.registered',
      'request.created',
      'job.started',
      'job.ended',
    ])
      expect(types).toContain(type);
  });

  it('gives a tester the entries of their own requests only', async () => {
    const { body } = await audit(alice, '?limit=1000');
    expect(body.items.length).toBeGreaterThan(0);
    expect(new Set(body.items.map((e) => e.requestId))).toEqual(new Set([aliceRequest]));
    expect(body.items.map((e) => e.type)).toEqual(
      expect.arrayContaining(['request.created', 'job.started', 'job.ended']),
    );
    const ofBob = await audit(bob, '?limit=1000');
    expect(new Set(ofBob.body.items.map((e) => e.requestId))).toEqual(new Set([bobRequest]));
    // A filter cannot widen it.
    expect((await audit(bob, `?request=${aliceRequest}`)).body).toMatchObject({
      items: [],
      total: 0,
    });
  });

  it('filters by request, worker, actor, type and since', async () => {
    const byRequest = (await audit(admin, `?request=${aliceRequest}&limit=1000`)).body.items;
    expect(byRequest.length).toBeGreaterThan(3);
    expect(byRequest.every((e) => e.requestId === aliceRequest)).toBe(true);

    const byWorker = (await audit(admin, `?worker=${workerUuid}&limit=1000`)).body.items;
    expect(byWorker.every((e) => e.workerUuid === workerUuid)).toBe(true);
    expect(byWorker.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'worker.registered',
        'worker.state-changed',
        'job.started',
        'job.ended',
      ]),
    );

    const byActor = (await audit(admin, '?actor=user:bob&limit=1000')).body.items;
    expect(byActor.map((e) => [e.type, e.requestId])).toEqual([['request.created', bobRequest]]);

    const jobs = (await audit(admin, '?type=job.*,request.created&limit=1000')).body.items;
    expect(new Set(jobs.map((e) => e.type))).toEqual(
      new Set(['job.started', 'job.ended', 'request.created']),
    );

    // The users were made before the clock moved ten minutes on; the rest after.
    const recent = (await audit(admin, '?since=5m&limit=1000')).body.items;
    const all = (await audit(admin, `?since=${encodeURIComponent(before)}&limit=1000`)).body.items;
    expect(recent.some((e) => e.type === 'user.created')).toBe(false);
    expect(recent.some((e) => e.type === 'request.created')).toBe(true);
    expect(all.some((e) => e.type === 'user.created')).toBe(true);
  });

  it('pages with an opaque cursor: every entry once, newest first', async () => {
    const everything = (await audit(admin, '?limit=1000')).body;
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { body } = await audit(admin, query);
      expect(body.total).toBe(everything.total);
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((e) => e.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(everything.items.map((e) => e.id));
    expect(pages).toBe(Math.ceil(everything.total / 3));
  });

  it('refuses bad filters and cursors with problem+json', async () => {
    for (const query of [
      '?cursor=nonsense',
      '?since=yesterday',
      '?type=job.nothing',
      '?limit=0',
      '?request=x',
      '?worker=x',
    ]) {
      const { status, body } = await audit(admin, query);
      expect([query, status]).toEqual([query, 400]);
      expect(body.detail).toBeTruthy();
    }
  });
});
