import { randomUUID } from 'node:crypto';
import { FakeAgent, startIdleAgents, waitForWorkerState } from './support/fake-agent';
import { rawRequest, v1Json } from './support/http-client';
import { scratchPostgres } from './support/scratch-postgres';
import { ServerProcess, startServer } from './support/server-process';
import { refusesConnections } from './support/tcp-probe';
import { waitFor } from './support/wait-for';

/**
 * Two real server processes on one PostgreSQL database: both serve the API, one schedules, and
 * when the scheduler is killed with SIGKILL the other takes over.
 */
const TOKEN = 'scale-out-e2e-agent-token';
const BOARD = 'scale-out-board';

interface Health {
  scheduler: { instance: string | null; thisInstance: string; schedulesHere: boolean };
}

describe('two instances on one PostgreSQL, real processes', () => {
  let database: Awaited<ReturnType<typeof scratchPostgres>>;
  let a: ServerProcess;
  let b: ServerProcess;
  let agent: FakeAgent;
  let env: Record<string, string>;
  /** The request the first test leaves running. */
  let first = 0;

  const start = () => startServer({ env });
  const health = async (server: ServerProcess): Promise<Health> =>
    JSON.parse((await rawRequest(server.baseUrl, 'GET', '/health')).body) as Health;

  async function createOn(server: ServerProcess): Promise<number> {
    const created = await v1Json(server.baseUrl, 'POST', '/api/v1/reqs/', {
      Priority: 4,
      Caps: { board: BOARD },
    });
    expect(created.status).toBe(201);
    return (JSON.parse(created.body) as { ReqID: number }).ReqID;
  }

  async function stateOn(server: ServerProcess, id: number, state: string, timeoutMs = 10_000) {
    await waitFor(
      async () =>
        (await rawRequest(server.baseUrl, 'HEAD', `/api/v1/reqs/${id}`)).header(
          'Boruta-Request-State',
        ) === state,
      `request ${id} to be ${state} on ${server.baseUrl}`,
      timeoutMs,
    );
  }

  beforeAll(async () => {
    database = await scratchPostgres();
    env = {
      LESHY_DATABASE_URL: database.url,
      LESHY_SECRET: 'the-secret-both-instances-share',
      LESHY_AGENT_TOKEN: TOKEN,
      LESHY_V1_ANONYMOUS_ROLE: 'admin',
    };
    // One after the other: the first runs the migrations and becomes the scheduler.
    a = await start();
    b = await start();
    [agent] = await startIdleAgents(b.baseUrl, TOKEN, [
      { uuid: randomUUID(), caps: { board: BOARD } },
    ]);
  });
  afterAll(async () => {
    await agent?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  it('both name A as the scheduler; a request created on B is served by it', async () => {
    const [onA, onB] = [await health(a), await health(b)];
    expect(onA.scheduler.schedulesHere).toBe(true);
    expect(onB.scheduler.schedulesHere).toBe(false);
    expect(onB.scheduler.instance).toBe(onA.scheduler.thisInstance);

    first = await createOn(b);
    await stateOn(b, first, 'IN PROGRESS');
  });

  it('a close on A cuts the tunnel opened by an acquire on B', async () => {
    // The first test's request holds the only worker.
    expect((await v1Json(a.baseUrl, 'POST', `/api/v1/reqs/${first}/close`)).status).toBe(204);
    const id = await createOn(b);
    await stateOn(b, id, 'IN PROGRESS', 15_000);

    const acquired = await rawRequest(b.baseUrl, 'POST', `/api/v1/reqs/${id}/acquire_worker`);
    expect(acquired.status).toBe(200);
    const port = (JSON.parse(acquired.body) as { Addr: { Port: number } }).Addr.Port;
    expect(await refusesConnections(port)).toBe(false);

    expect((await v1Json(a.baseUrl, 'POST', `/api/v1/reqs/${id}/close`)).status).toBe(204);
    await waitFor(() => refusesConnections(port), "B's tunnel to refuse connections", 5_000);
    await waitForWorkerState(b.baseUrl, agent.uuid, 'IDLE');
  });

  it('kill -9 of the scheduler: B takes over within 10 s and serves a new request', async () => {
    process.kill(a.pid, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor(async () => (await health(b)).scheduler.schedulesHere, 'B to schedule', 10_000);
    const failoverMs = Date.now() - killedAt;
    console.log(`failover after kill -9 of the scheduler: ${failoverMs} ms`);
    await a.stop();

    const id = await createOn(b);
    await stateOn(b, id, 'IN PROGRESS');
    expect((await v1Json(b.baseUrl, 'POST', `/api/v1/reqs/${id}/close`)).status).toBe(204);
    await waitForWorkerState(b.baseUrl, agent.uuid, 'IDLE');
  });

  it('the old scheduler, restarted, is a follower', async () => {
    a = await start();
    const onA = await health(a);
    expect(onA.scheduler.schedulesHere).toBe(false);
    expect(onA.scheduler.instance).toBe((await health(b)).scheduler.thisInstance);

    const id = await createOn(a);
    await stateOn(a, id, 'IN PROGRESS');
  });
});
