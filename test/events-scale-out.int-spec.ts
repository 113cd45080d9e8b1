import { FakeClock } from './fakes/fake-clock';
import { requestInput } from './factories/request.factory';
import { ApiUser, apiUser, auditIdsAfter } from './support/api-users';
import { scratchPostgres } from './support/scratch-postgres';
import { SseClient } from './support/sse-client';
import { tempDir } from './support/temp-dir';
import { startTestApp, TestApp } from './support/test-app';

/** Two instances on one PostgreSQL: a stream on one shows what the other commits, in id order. */
describe('the event stream across instances (PostgreSQL)', () => {
  const dirs = [tempDir(), tempDir()];
  let a: TestApp;
  let b: TestApp;
  let database: Awaited<ReturnType<typeof scratchPostgres>>;
  let admin: ApiUser;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    database = await scratchPostgres();
    const clock = new FakeClock();
    const env = { LESHY_DATABASE_URL: database.url, LESHY_SECRET: 'shared-secret-of-the-cluster' };
    a = await startTestApp({ dataDir: dirs[0].path, clock, env, http: true });
    b = await startTestApp({ dataDir: dirs[1].path, clock, env, http: true });
    admin = await apiUser(a, 'root', 'admin');
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await b?.close();
    await a?.close();
    await database?.drop();
    for (const dir of dirs) dir.remove();
  });

  async function stream(app: TestApp, query = '', headers: Record<string, string> = {}) {
    const client = await SseClient.open(await app.app.getUrl(), `/api/v2/events${query}`, {
      Authorization: `Bearer ${admin.secret}`,
      ...headers,
    });
    clients.push(client);
    return client;
  }

  it('a stream on B shows events committed on A, and on both, in id order without gaps', async () => {
    const start = (await auditIdsAfter(a, 0)).at(-1)!;
    const onB = await stream(b, `?since=${start}`);
    const fromA = await a.requests.create(requestInput({ caps: { board: 'far' } }), admin.actor);
    const created = await onB.next('request.created', (e) => e.requestId === fromA.id);
    expect(created.actor).toBe('user:root');
    // Both instances write at once; B's stream still shows every row once, in id order.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).requests.create(
          requestInput({ caps: { board: `both-${i}` } }),
          admin.actor,
        ),
      ),
    );
    const expected = await auditIdsAfter(a, start);
    await onB.until((c) => Number(c.events.at(-1)?.id) >= expected.at(-1)!, 'every event');
    expect(onB.events.map((e) => Number(e.id))).toEqual(expected);
  });

  it('a stream cut on A resumes on B with Last-Event-ID, missing and repeating nothing', async () => {
    const start = (await auditIdsAfter(a, 0)).at(-1)!;
    const onA = await stream(a, `?since=${start}`);
    for (let i = 0; i < 4; i++)
      await a.requests.create(requestInput({ caps: { board: `cut-${i}` } }), admin.actor);
    await onA.until((c) => c.events.length >= 2, 'two events');
    onA.close();
    const last = Number(onA.events.at(-1)!.id);
    for (let i = 0; i < 4; i++)
      await b.requests.create(requestInput({ caps: { board: `then-${i}` } }), admin.actor);
    const onB = await stream(b, '', { 'Last-Event-ID': String(last) });
    const expected = await auditIdsAfter(a, start);
    await onB.until((c) => Number(c.events.at(-1)?.id) >= expected.at(-1)!, 'every event');
    const seen = [...onA.events.filter((e) => Number(e.id) <= last), ...onB.events].map((e) =>
      Number(e.id),
    );
    expect(seen).toEqual(expected);
  });
});
