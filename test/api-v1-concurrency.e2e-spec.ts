import { FakeAgent, startIdleAgents, waitForWorkerState } from './support/fake-agent';
import { rawRequest, v1Json } from './support/http-client';
import { ServerProcess, startServer } from './support/server-process';
import { waitFor } from './support/wait-for';

/**
 * 16 clients at once, each doing what a Weles-like tool does through API v1: create, wait for
 * IN PROGRESS by polling HEAD, acquire, close; 300 cycles over a few fake-prepared workers.
 * No call may fail, and no worker may serve two requests at once: the interval in which a
 * client saw a worker as its own (from seeing IN PROGRESS to sending close) lies inside the
 * job's real lifetime, so two overlapping intervals on one worker would be a double booking.
 */
jest.setTimeout(180_000);

const TOKEN = 'concurrency-e2e-agent-token';
const CLIENTS = 16;
const CYCLES = 300;
const WORKERS = 6;

interface Cycle {
  id: number;
  worker: string;
  seenAt: number;
  closeAt: number;
  key: string;
}

let server: ServerProcess;
let agents: FakeAgent[] = [];

beforeAll(async () => {
  server = await startServer({
    // Every job ends with a prepare that needs a fresh key: two generator threads.
    // Anonymous v1 callers are admins, as with upstream Boruta (setstate).
    env: {
      LESHY_AGENT_TOKEN: TOKEN,
      LESHY_KEY_POOL: '8',
      LESHY_KEY_THREADS: '2',
      LESHY_V1_ANONYMOUS_ROLE: 'admin',
    },
  });
  agents = await startIdleAgents(
    server.baseUrl,
    TOKEN,
    Array.from({ length: WORKERS }, (_, i) => ({
      uuid: `c0ffee00-0000-4000-8000-${String(i).padStart(12, '0')}`,
      caps: { board: 'concurrency' },
    })),
  );
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await server?.stop();
});

it(`serves ${CYCLES} create → acquire → close cycles from ${CLIENTS} clients without errors or double booking`, async () => {
  const cycles: Cycle[] = [];
  const errors: string[] = [];
  let started = 0;
  const expectStatus = (what: string, status: number, wanted: number, body: string) => {
    if (status !== wanted) throw new Error(`${what}: ${status} ${body}`);
  };

  const cycle = async (): Promise<void> => {
    const created = await v1Json(server.baseUrl, 'POST', '/api/v1/reqs/', {
      Priority: 1 + (started % 16),
      Caps: { board: 'concurrency' },
    });
    expectStatus('create', created.status, 201, created.body);
    const id = (JSON.parse(created.body) as { ReqID: number }).ReqID;
    for (;;) {
      const head = await rawRequest(server.baseUrl, 'HEAD', `/api/v1/reqs/${id}`);
      expectStatus(`HEAD ${id}`, head.status, 204, head.body);
      const state = head.header('Boruta-Request-State');
      if (state === 'IN PROGRESS') break;
      if (state !== 'WAITING') throw new Error(`request ${id} went ${state}`);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const seenAt = Date.now();
    const info = await rawRequest(server.baseUrl, 'GET', `/api/v1/reqs/${id}`);
    expectStatus(`GET ${id}`, info.status, 200, info.body);
    const worker = (JSON.parse(info.body) as { Job: { WorkerUUID: string } }).Job.WorkerUUID;
    const acquired = await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/acquire_worker`);
    expectStatus(`acquire ${id}`, acquired.status, 200, acquired.body);
    const access = JSON.parse(acquired.body) as {
      Key: string;
      Username: string;
      Addr: { Port: number };
    };
    if (
      access.Username !== 'boruta-user' ||
      !(access.Addr.Port > 0) ||
      !access.Key.includes('RSA PRIVATE KEY')
    )
      throw new Error(`acquire ${id}: unexpected ${acquired.body.slice(0, 200)}`);
    const workerInfo = await rawRequest(server.baseUrl, 'GET', `/api/v1/workers/${worker}`);
    if (workerInfo.header('Boruta-Worker-State') !== 'RUNNING')
      throw new Error(
        `worker ${worker} of running request ${id} is ${workerInfo.header('Boruta-Worker-State')}`,
      );
    const closeAt = Date.now();
    const closed = await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/close`);
    expectStatus(`close ${id}`, closed.status, 204, closed.body);
    cycles.push({ id, worker, seenAt, closeAt, key: access.Key });
  };

  const client = async () => {
    while (started < CYCLES) {
      started++;
      await cycle().catch((error: Error) => errors.push(error.message));
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));

  expect(errors).toEqual([]);
  expect(cycles).toHaveLength(CYCLES);

  // No worker served two requests at once.
  const overlaps: string[] = [];
  const byWorker = new Map<string, Cycle[]>();
  for (const c of cycles) byWorker.set(c.worker, [...(byWorker.get(c.worker) ?? []), c]);
  for (const [worker, list] of byWorker) {
    list.sort((a, b) => a.seenAt - b.seenAt);
    for (let i = 1; i < list.length; i++) {
      if (list[i].seenAt < list[i - 1].closeAt)
        overlaps.push(`${worker}: request ${list[i].id} began before ${list[i - 1].id} was closed`);
    }
  }
  expect(overlaps).toEqual([]);
  // Every job had its own freshly prepared key.
  expect(new Set(cycles.map((c) => c.key)).size).toBe(CYCLES);

  // The listing agrees: every request DONE, on the worker its client saw.
  const listed = await v1Json(server.baseUrl, 'POST', '/api/v1/reqs/list', {});
  expect(listed.header('Boruta-List-Total')).toBe(String(CYCLES));
  const requests = JSON.parse(listed.body) as Array<{
    ID: number;
    State: string;
    Job: { WorkerUUID: string };
  }>;
  const workerOf = new Map(cycles.map((c) => [c.id, c.worker]));
  expect(
    requests.filter((r) => r.State !== 'DONE' || r.Job.WorkerUUID !== workerOf.get(r.ID)),
  ).toEqual([]);
  // And every worker comes back to IDLE once its board is prepared again.
  for (const agent of agents) await waitForWorkerState(server.baseUrl, agent.uuid, 'IDLE', 30_000);
  await waitFor(async () => {
    const workers = await v1Json(server.baseUrl, 'POST', '/api/v1/workers/list', {});
    return (JSON.parse(workers.body) as Array<{ State: string }>).every((w) => w.State === 'IDLE');
  }, 'every worker to be IDLE in the listing');
});
