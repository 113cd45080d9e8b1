import { EventStreams } from '../src/api/v2/events/event-streams.service';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { ApiUser, apiUser, auditIdsAfter } from './support/api-users';
import { rawRequest } from './support/http-client';
import { SseClient, StreamedEvent } from './support/sse-client';
import { tempDir } from './support/temp-dir';
import { startTestApp, startTestAppPerSuite, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

type Person = ApiUser;

describe('GET /api/v2/events: the live event stream', () => {
  let t: TestApp;
  let baseUrl: string;
  let alice: Person;
  let bob: Person;
  let admin: Person;
  const open: SseClient[] = [];
  startTestAppPerSuite((app) => (t = app), { http: true });

  beforeAll(async () => {
    baseUrl = await t.app.getUrl();
    alice = await apiUser(t, 'alice', 'tester');
    bob = await apiUser(t, 'bob', 'tester');
    admin = await apiUser(t, 'root', 'admin');
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });

  async function stream(who: Person, query = '', headers: Record<string, string> = {}) {
    const client = await SseClient.open(baseUrl, `/api/v2/events${query}`, {
      Authorization: `Bearer ${who.secret}`,
      ...headers,
    });
    open.push(client);
    return client;
  }

  const ofRequest = (events: StreamedEvent[], id: number) =>
    events
      .filter((e) => e.requestId === id)
      .map((e) => (e.from ? `${e.type} ${e.from}→${e.to}` : e.type));

  it('shows a request’s whole life in order, with its snapshot', async () => {
    const worker = await idleWorker(t, { board: 'life' });
    const client = await stream(alice);
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toMatch(/^text\/event-stream/);

    const request = await t.requests.create(requestInput({ caps: { board: 'life' } }), alice.actor);
    await t.settle();
    const prolonged = await t.jobs.prolong(request.id, alice.actor);
    t.clock.set(new Date(prolonged.timeoutAt.getTime() - t.config.expiryWarningMs));
    await client.next('job.expiring', (e) => e.requestId === request.id);
    await t.requests.close(request.id, alice.actor);
    await client.next(
      'request.state-changed',
      (e) => e.requestId === request.id && e.to === 'DONE',
    );

    expect(ofRequest(client.parsed, request.id)).toEqual([
      'request.created',
      'request.state-changed WAITING→IN PROGRESS',
      'job.started',
      'job.prolonged',
      'job.expiring',
      'request.state-changed IN PROGRESS→DONE',
      'job.ended',
    ]);
    const ids = client.events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const created = client.parsed.find(
      (e) => e.type === 'request.created' && e.requestId === request.id,
    )!;
    expect(created.actor).toBe('user:alice');
    expect(created.request).toMatchObject({
      id: request.id,
      state: 'WAITING',
      owner: 'alice',
      caps: { board: 'life' },
    });
    // The snapshot is the request as its route shows it, with its job once it has one.
    const running = client.parsed.find(
      (e) =>
        e.type === 'request.state-changed' && e.requestId === request.id && e.to === 'IN PROGRESS',
    )!;
    expect(running.request).toMatchObject({
      state: 'IN PROGRESS',
      job: { workerUuid: worker.uuid },
      ended: null,
    });
    const done = client.parsed.find((e) => e.type === 'request.state-changed' && e.to === 'DONE')!;
    expect(done.request).toMatchObject({ ended: { how: 'closed-by-owner', by: 'user:alice' } });
    const started = client.parsed.find(
      (e) => e.type === 'job.started' && e.requestId === request.id,
    )!;
    expect(started.workerUuid).toBe(worker.uuid);
    expect(started.job).toMatchObject({
      requestId: request.id,
      workerUuid: worker.uuid,
      prolongCount: 0,
    });
    const workerRunning = client.parsed.find(
      (e) =>
        e.type === 'worker.state-changed' && e.workerUuid === worker.uuid && e.to === 'RUNNING',
    )!;
    expect(workerRunning.worker).toMatchObject({ uuid: worker.uuid, state: 'RUNNING' });
    // Worker events are everyone's: alice sees the worker go RUNNING.
    expect(
      client.parsed.some(
        (e) =>
          e.type === 'worker.state-changed' && e.workerUuid === worker.uuid && e.to === 'RUNNING',
      ),
    ).toBe(true);
  });

  it('resumed with Last-Event-ID after a cut, misses nothing and repeats nothing', async () => {
    const start = (await auditIdsAfter(t, 0)).at(-1) ?? 0;
    const first = await stream(admin, `?since=${start}`);
    for (let i = 0; i < 5; i++)
      await t.requests.create(requestInput({ caps: { board: `cut-${i}` } }), alice.actor);
    await first.until((c) => c.events.length >= 3, 'three events');
    first.close();
    const lastSeen = Number(first.events.at(-1)!.id);
    // Committed while nobody listens.
    for (let i = 0; i < 5; i++)
      await t.requests.create(requestInput({ caps: { board: `gap-${i}` } }), bob.actor);
    const second = await stream(admin, '', { 'Last-Event-ID': String(lastSeen) });
    for (let i = 0; i < 3; i++)
      await t.requests.create(requestInput({ caps: { board: `after-${i}` } }), bob.actor);
    await t.settle();
    const expected = await auditIdsAfter(t, start);
    await second.until(
      (c) => Number(c.events.at(-1)?.id ?? 0) >= expected.at(-1)!,
      `event ${expected.at(-1)}`,
    );
    const seen = [...first.events.filter((e) => Number(e.id) <= lastSeen), ...second.events].map(
      (e) => Number(e.id),
    );
    expect(seen).toEqual(expected);
  });

  it('has no gap and no repeat at the seam when events commit while the replay runs', async () => {
    // Enough rows for several replay queries (200 rows each), and commits all along: before the
    // stream opens, while it replays and once it is live.
    const before = (await auditIdsAfter(t, 0)).at(-1) ?? 0;
    for (let i = 0; i < 250; i++)
      await t.requests.create(requestInput({ caps: { board: `seam-${i}` } }), alice.actor);
    let writing = true;
    const writes = (async () => {
      for (let i = 0; writing; i++)
        await t.requests.create(requestInput({ caps: { board: `during-${i}` } }), bob.actor);
    })();
    const client = await stream(admin, `?since=${before}`);
    await client.until((c) => c.events.length >= 400, '400 events');
    writing = false;
    await writes;
    await t.settle();
    const expected = await auditIdsAfter(t, before);
    await client.until((c) => Number(c.events.at(-1)?.id ?? 0) >= expected.at(-1)!, 'every event');
    expect(client.events.map((e) => Number(e.id))).toEqual(expected);
  });

  it('shows a tester their own requests and every worker; admins everything', async () => {
    const aliceStream = await stream(alice);
    const bobStream = await stream(bob);
    const adminStream = await stream(admin);
    const mine = await t.requests.create(requestInput({ caps: { board: 'vis' } }), alice.actor);
    const theirs = await t.requests.create(requestInput({ caps: { board: 'vis' } }), bob.actor);
    const newcomer = await apiUser(t, 'carol', 'tester');
    const worker = await idleWorker(t, { board: 'vis-worker' });
    await adminStream.next(
      'worker.state-changed',
      (e) => e.workerUuid === worker.uuid && e.to === 'IDLE',
    );
    await aliceStream.next(
      'worker.state-changed',
      (e) => e.workerUuid === worker.uuid && e.to === 'IDLE',
    );
    await bobStream.next(
      'worker.state-changed',
      (e) => e.workerUuid === worker.uuid && e.to === 'IDLE',
    );

    const requestsOf = (c: SseClient) =>
      new Set(c.parsed.filter((e) => e.requestId).map((e) => e.requestId));
    expect(requestsOf(aliceStream)).toEqual(new Set([mine.id]));
    expect(requestsOf(bobStream)).toEqual(new Set([theirs.id]));
    expect(requestsOf(adminStream)).toEqual(new Set([mine.id, theirs.id]));
    const userEvents = (c: SseClient) => c.parsed.filter((e) => /^(user|token)\./.test(e.type));
    expect(userEvents(aliceStream)).toEqual([]);
    expect(userEvents(adminStream).map((e) => e.type)).toEqual(['user.created', 'token.created']);
    expect(newcomer.actor.label).toBe('user:carol');
  });

  it('filters by request, worker and type (with job.* prefixes)', async () => {
    const worker = await idleWorker(t, { board: 'filters' });
    const request = await t.requests.create(
      requestInput({ caps: { board: 'filters' } }),
      alice.actor,
    );
    const byRequest = await stream(admin, `?request=${request.id}&since=0`);
    const byWorker = await stream(admin, `?worker=${worker.uuid}&since=0`);
    const jobs = await stream(admin, `?types=job.*,request.created&since=0`);
    await t.settle();
    await t.requests.close(request.id, alice.actor);
    await byRequest.next('job.ended');
    await byWorker.next('job.ended');
    await jobs.next('job.ended', (e) => e.requestId === request.id);
    expect(byRequest.parsed.every((e) => e.requestId === request.id)).toBe(true);
    expect(byRequest.parsed[0].type).toBe('request.created');
    expect(byWorker.parsed.every((e) => e.workerUuid === worker.uuid)).toBe(true);
    expect(byWorker.parsed.map((e) => e.type)).toEqual(
      expect.arrayContaining(['worker.registered', 'job.started', 'job.ended']),
    );
    expect(
      new Set(
        jobs.parsed.map((e) => e.type.split('.')[0] === 'job' || e.type === 'request.created'),
      ),
    ).toEqual(new Set([true]));
  });

  it('refuses bad filters and ids with problem+json, and agents and anonymous callers', async () => {
    for (const query of [
      '?types=job.nothing',
      '?types=nope.*',
      '?request=abc',
      '?since=-1',
      '?worker=zz',
      '?colour=red',
    ]) {
      const client = await stream(admin, query);
      expect([query, client.status]).toEqual([query, 400]);
      expect(client.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(client.body).detail).toBeTruthy();
    }
    const badId = await stream(admin, '', { 'Last-Event-ID': 'yesterday' });
    expect(badId.status).toBe(400);
    expect(JSON.parse(badId.body).detail).toContain('Last-Event-ID');
    const anonymous = await rawRequest(baseUrl, 'GET', '/api/v2/events');
    expect(anonymous.status).toBe(401);
  });

  it('ends open streams when the server stops, saying where to resume', async () => {
    const dir = tempDir();
    const other = await startTestApp({ dataDir: dir.path, http: true });
    try {
      const root = await apiUser(other, 'root', 'admin');
      const client = await SseClient.open(await other.app.getUrl(), '/api/v2/events?since=0', {
        Authorization: `Bearer ${root.secret}`,
      });
      open.push(client);
      await client.until((c) => c.events.length >= 2, 'the replayed events');
      await other.close();
      await client.until((c) => c.ended, 'the end of the stream');
      const reset = client.events.at(-1)!;
      expect(reset.event).toBe('stream.reset');
      expect(JSON.parse(reset.data)).toMatchObject({
        lastEventId: Number(client.events.at(-2)!.id),
        detail: expect.stringContaining('shutting down') as string,
      });
    } finally {
      dir.remove();
    }
  });

  it('lets go of a stream when its client disconnects', async () => {
    const streams = t.app.get(EventStreams);
    await waitFor(async () => streams.count === 0 || null, 'earlier streams to close');
    const client = await stream(bob);
    await waitFor(async () => streams.count === 1 || null, 'the stream to open');
    client.close();
    await waitFor(async () => streams.count === 0 || null, 'the stream to be let go');
  });
});
