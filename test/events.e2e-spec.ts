import { randomUUID } from 'node:crypto';
import { FakeAgent, startIdleAgents } from './support/fake-agent';
import { rawRequest } from './support/http-client';
import { ServerProcess, startServer } from './support/server-process';
import { SseClient, StreamedEvent } from './support/sse-client';

const AGENT_TOKEN = 'events-e2e-agent-token';
const ADMIN_TOKEN = 'events-e2e-admin-token-0123456789abcdef';

/**
 * The event stream of a real server process: a tester follows their request's whole life on
 * it, with a cut in the middle resumed by Last-Event-ID; the audit log agrees.
 */
describe('GET /api/v2/events on a real server', () => {
  let server: ServerProcess;
  let agents: FakeAgent[] = [];
  let alice = '';
  let bob = '';
  const clients: SseClient[] = [];

  const call = (method: string, path: string, token: string, body?: unknown) =>
    rawRequest(server.baseUrl, method, path, {
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const stream = async (token: string, query = '', headers: Record<string, string> = {}) => {
    const client = await SseClient.open(server.baseUrl, `/api/v2/events${query}`, {
      Authorization: `Bearer ${token}`,
      ...headers,
    });
    clients.push(client);
    expect(client.status).toBe(200);
    return client;
  };
  async function tester(name: string): Promise<string> {
    const user = await call('POST', '/api/v2/users', ADMIN_TOKEN, { name, role: 'tester' });
    expect(user.status).toBe(201);
    const { id } = JSON.parse(user.body) as { id: number };
    const token = await call('POST', `/api/v2/users/${id}/tokens`, ADMIN_TOKEN, { label: 'e2e' });
    return (JSON.parse(token.body) as { secret: string }).secret;
  }

  beforeAll(async () => {
    server = await startServer({
      env: {
        LESHY_AGENT_TOKEN: AGENT_TOKEN,
        LESHY_ADMIN_TOKEN: ADMIN_TOKEN,
        // Anonymous v1 admins set the boards IDLE (bringToIdle).
        LESHY_V1_ANONYMOUS_ROLE: 'admin',
        // A job warned (job.expiring) a few seconds after it starts or is prolonged.
        LESHY_JOB_TIMEOUT: '60s',
        LESHY_EXPIRY_WARNING: '50s',
      },
    });
    agents = await startIdleAgents(server.baseUrl, AGENT_TOKEN, [
      { uuid: randomUUID(), caps: { board: 'e2e-events' } },
    ]);
    alice = await tester('alice');
    bob = await tester('bob');
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(agents.map((agent) => agent.stop()));
    await server?.stop();
  });

  const lifeOf = (events: StreamedEvent[], id: number) =>
    events
      .filter((e) => e.requestId === id)
      .map((e) => (e.from ? `${e.type} ${e.from}→${e.to}` : e.type));

  it('shows a request’s whole life in order, across a cut resumed with Last-Event-ID', async () => {
    const first = await stream(alice);
    const bobs = await stream(bob);
    const created = await call('POST', '/api/v1/reqs/', alice, {
      Priority: 8,
      Caps: { board: 'e2e-events' },
    });
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.body) as { ReqID: number }).ReqID;
    await first.next('job.started', (e) => e.requestId === id);
    // The cut: the client goes away after the job started.
    first.close();
    const lastSeen = Number(first.events.at(-1)!.id);

    // While nobody listens: a prolong, then the warning it re-arms.
    expect((await call('POST', `/api/v1/reqs/${id}/prolong`, alice)).status).toBe(204);
    const resumed = await stream(alice, '', { 'Last-Event-ID': String(lastSeen) });
    await resumed.next(
      'job.expiring',
      (e) => e.requestId === id && (e.job as { prolongCount: number }).prolongCount === 1,
      30_000,
    );
    expect((await call('POST', `/api/v1/reqs/${id}/close`, alice)).status).toBe(204);
    await resumed.next('job.ended', (e) => e.requestId === id);

    const seen = [...first.events.filter((e) => Number(e.id) <= lastSeen), ...resumed.events];
    const ids = seen.map((e) => Number(e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    const all = [...first.parsed.filter((e) => e.id <= lastSeen), ...resumed.parsed];
    const life = lifeOf(all, id);
    expect(life.filter((step) => step !== 'job.expiring')).toEqual([
      'request.created',
      'request.state-changed WAITING→IN PROGRESS',
      'job.started',
      'job.prolonged',
      'request.state-changed IN PROGRESS→DONE',
      'job.ended',
    ]);
    // The prolong re-armed the warning: one comes after it, before the end (another may have
    // come before it on a slow machine, for the first timeout).
    const prolongedAt = life.indexOf('job.prolonged');
    expect(life.slice(prolongedAt, life.indexOf('request.state-changed IN PROGRESS→DONE'))).toEqual(
      ['job.prolonged', 'job.expiring'],
    );

    // The audit log has the same entries for the request, newest first; nothing is missing.
    const audit = await call('GET', `/api/v2/audit?request=${id}`, alice);
    const entries = (JSON.parse(audit.body) as { items: Array<{ id: number }> }).items;
    expect(entries.map((e) => e.id).reverse()).toEqual(
      seen
        .filter((e) => (JSON.parse(e.data) as StreamedEvent).requestId === id)
        .map((e) => Number(e.id)),
    );
    // Bob saw the worker work, but nothing of alice's request.
    await bobs.until(
      (c) => c.parsed.some((e) => e.type === 'worker.state-changed'),
      'a worker event',
    );
    expect(bobs.parsed.filter((e) => e.requestId === id)).toEqual([]);
  });

  it('serves the OpenAPI document to anyone', async () => {
    const document = await rawRequest(server.baseUrl, 'GET', '/api/docs-json');
    expect(document.status).toBe(200);
    const paths = Object.keys((JSON.parse(document.body) as { paths: object }).paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/v2/events', '/api/v2/audit']));
  });
});
