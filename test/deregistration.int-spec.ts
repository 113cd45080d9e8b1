import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditEventEntity } from '../src/events/audit-event.entity';
import { workerRegistration } from './factories/worker.factory';
import { rawRequest, RawResponse } from './support/http-client';
import { scratchPostgres } from './support/scratch-postgres';
import { startTestApp, TestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';
import { ADMIN } from './support/actors';

/**
 * A deregistration sticks while the board's agent still runs: its registrations answer 410
 * until an admin admits the board again. Real HTTP and a real SQLite file; agents are fake.
 */
const TOKEN = 'deregistration-int-token';
/** The admin's token (LESHY_ADMIN_TOKEN): deregister and admit are admin calls. */
const ADMIN_TOKEN = 'deregistration-int-admin-token-0123456789';
const asAdmin = { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };

async function httpApp(dir: string, env: Record<string, string>) {
  const t = await startTestApp({ dataDir: dir, http: true, env });
  return { t, baseUrl: await t.app.getUrl() };
}

const post = (baseUrl: string, path: string, body?: unknown, token = TOKEN) =>
  rawRequest(baseUrl, 'POST', path, {
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const problem = (response: RawResponse) => {
  expect(response.header('content-type')).toMatch(/^application\/problem\+json/);
  return JSON.parse(response.body) as { status: number; detail: string; code: string };
};

describe.each([
  ['SQLite', false],
  ['PostgreSQL', true],
])('deregistration sticks until an admin admits the board (%s)', (_name, postgres) => {
  const dir = tempDir();
  let t: TestApp;
  let baseUrl: string;
  let database: Awaited<ReturnType<typeof scratchPostgres>> | null = null;

  beforeAll(async () => {
    database = postgres ? await scratchPostgres() : null;
    ({ t, baseUrl } = await httpApp(dir.path, {
      LESHY_AGENT_TOKEN: TOKEN,
      LESHY_ADMIN_TOKEN: ADMIN_TOKEN,
      ...(database ? { LESHY_DATABASE_URL: database.url } : {}),
    }));
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
    dir.remove();
  });

  const register = (registration: ReturnType<typeof workerRegistration>) =>
    post(baseUrl, '/api/v2/agents/register', { ...registration, agentVersion: 'test' });
  const reasons = async (uuid: string, type: string) =>
    (
      await t.app
        .get(DataSource)
        .getRepository(AuditEventEntity)
        .find({ where: { aggregateId: uuid, type }, order: { id: 'ASC' } })
    ).map((e) => e.reason);

  it('answers 410 to the agent of a deregistered worker, and 200 again once an admin admits it', async () => {
    const board = workerRegistration();
    expect((await register(board)).status).toBe(200);
    const deregistered = await rawRequest(
      baseUrl,
      'POST',
      `/api/v1/workers/${board.uuid}/deregister`,
      asAdmin,
    );
    expect(deregistered.status).toBe(204);

    // What the still-running agent does next: its heartbeat is unknown, its registration refused.
    expect((await post(baseUrl, `/api/v2/agents/${board.uuid}/heartbeat`)).status).toBe(404);
    const refused = await register(board);
    expect(refused.status).toBe(410);
    expect(problem(refused)).toMatchObject({
      status: 410,
      code: 'worker-deregistered',
      detail: expect.stringMatching(
        new RegExp(
          `^worker ${board.uuid} was deregistered by an admin \\(user:admin, \\d{4}-.*Z\\): its registrations are refused until an admin admits it again with POST /api/v2/workers/${board.uuid}/admit$`,
        ),
      ),
    });
    await expect(t.workers.get(board.uuid)).rejects.toMatchObject({ code: 'worker-not-found' });
    expect(await reasons(board.uuid, 'worker.deregistered')).toEqual([
      'deregistered by an admin: its agent is refused until an admin admits it again',
    ]);

    const admitted = await rawRequest(
      baseUrl,
      'POST',
      `/api/v2/workers/${board.uuid}/admit`,
      asAdmin,
    );
    expect(admitted.status).toBe(200);
    expect(JSON.parse(admitted.body)).toMatchObject({
      uuid: board.uuid,
      deregisteredBy: 'user:admin',
      admittedBy: 'user:admin',
    });
    // Admitting twice changes nothing.
    expect(
      (await rawRequest(baseUrl, 'POST', `/api/v2/workers/${board.uuid}/admit`, asAdmin)).status,
    ).toBe(200);

    const back = await register(board);
    expect(back.status).toBe(200);
    expect(JSON.parse(back.body)).toMatchObject({ state: 'MAINTENANCE' });
    // The registration event says what happened, not "first registration".
    const registered = await reasons(board.uuid, 'worker.registered');
    expect(registered).toHaveLength(2);
    expect(registered[0]).toBe('first registration');
    expect(registered[1]).toMatch(
      /^registered again: user:admin had deregistered it \(.*Z\), user:admin admitted it again \(.*Z\)$/,
    );

    // Admitted once: a later deregistration needs a new admission.
    await t.workers.deregister(board.uuid, ADMIN);
    expect((await register(board)).status).toBe(410);
  });

  it('explains admits that have nothing to admit', async () => {
    const unknown = randomUUID();
    const notDeregistered = await rawRequest(
      baseUrl,
      'POST',
      `/api/v2/workers/${unknown}/admit`,
      asAdmin,
    );
    expect(notDeregistered.status).toBe(404);
    expect(problem(notDeregistered).detail).toBe(
      `worker ${unknown} is not deregistered: there is nothing to admit (a board that was never deregistered registers by itself)`,
    );
    const board = workerRegistration();
    expect((await register(board)).status).toBe(200);
    const registered = await rawRequest(
      baseUrl,
      'POST',
      `/api/v2/workers/${board.uuid}/admit`,
      asAdmin,
    );
    expect(registered.status).toBe(409);
    expect(problem(registered).detail).toBe(
      `worker ${board.uuid} is registered: there is nothing to admit`,
    );
    const bad = await rawRequest(baseUrl, 'POST', `/api/v2/workers/not-a-uuid/admit`, asAdmin);
    expect(bad.status).toBe(400);
    expect(problem(bad).detail).toBe('worker UUID "not-a-uuid" is not a valid UUID');
  });
});

describe('admin and agent refusals say what to fix', () => {
  const dir = tempDir();
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    ({ t, baseUrl } = await httpApp(dir.path, { LESHY_V1_ANONYMOUS_ROLE: 'tester' }));
  });
  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  it('refuses admit without an admin token', async () => {
    const response = await rawRequest(baseUrl, 'POST', `/api/v2/workers/${randomUUID()}/admit`);
    expect(response.status).toBe(401);
    expect(problem(response).detail).toBe(
      'this call needs a token: send "Authorization: Bearer <token>"',
    );
  });

  it('tells an agent that the server has no agent token set', async () => {
    const response = await post(baseUrl, '/api/v2/agents/register', {});
    expect(response.status).toBe(401);
    expect(problem(response).detail).toBe(
      "the server has no LESHY_AGENT_TOKEN set and this is not an agent token it issued: server.token in the agent's config must be this board's agent token",
    );
  });
});

describe('a wrong agent token', () => {
  const dir = tempDir();
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    ({ t, baseUrl } = await httpApp(dir.path, { LESHY_AGENT_TOKEN: TOKEN }));
  });
  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  it('is named as wrong, with what it must be', async () => {
    const response = await post(baseUrl, '/api/v2/agents/register', {}, 'wrong');
    expect(response.status).toBe(401);
    expect(problem(response).detail).toBe(
      "wrong agent token: server.token in the agent's config must be this board's agent token or the server's LESHY_AGENT_TOKEN",
    );
  });
});
