import { randomUUID } from 'node:crypto';
import { FakeAgent, startIdleAgents } from '../support/fake-agent';
import { rawRequest } from '../support/http-client';
import { scratchPostgres } from '../support/scratch-postgres';
import { ServerProcess, startServer } from '../support/server-process';
import { MachineNoise } from './machine-noise';
import { percentile } from './percentiles';
import { v1RequestInProgress } from './v1-bench-request';

const CREATES = Number(process.env.LESHY_BENCH_CREATES ?? 3_000);
const IN_FLIGHT = 16;
/** Assignment: idle boards (fake agents over real SSH), testers arriving open loop. */
const BOARDS = 16;
const ARRIVALS = Number(process.env.LESHY_BENCH_ARRIVALS ?? 100);
const ARRIVALS_PER_SECOND = 4;
const POLL_MS = 5;
const TOKEN = 'scale-bench-agent-token';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Request creation and assignment through HTTP (API v1) as clients see them, on SQLite (one
 * instance) and on PostgreSQL with one and with two instances (clients spread over both), real
 * server processes. With two instances, half the testers use the instance that does not
 * schedule: their requests are matched by the scheduler after the event reaches it.
 */
export async function scaleBench(): Promise<void> {
  console.log(
    `== creates through HTTP: ${CREATES} creates, ${IN_FLIGHT} in flight; then assignment ==`,
  );
  const noise = new MachineNoise();
  await measure('SQLite, 1 instance', 1, null);
  for (const instances of [1, 2]) {
    const database = await scratchPostgres();
    try {
      await measure(`PostgreSQL, ${instances} instance(s)`, instances, database.url);
    } finally {
      await database.drop();
    }
  }
  console.log(noise.report());
}

async function measure(label: string, instances: number, url: string | null): Promise<void> {
  const env = {
    LESHY_SECRET: 'bench-secret-shared-by-the-instances',
    LESHY_AGENT_TOKEN: TOKEN,
    // The bench sets its boards IDLE over API v1, as an anonymous admin.
    LESHY_V1_ANONYMOUS_ROLE: 'admin',
    LESHY_HEALTHCHECK_INTERVAL: '1h',
    ...(url ? { LESHY_DATABASE_URL: url } : {}),
  };
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < instances; i++) servers.push(await startServer({ env }));
    const latencies: number[] = [];
    let next = 0;
    let failures = 0;
    const began = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, client) => {
        const server = servers[client % servers.length];
        while (next < CREATES) {
          next++;
          const started = performance.now();
          const answer = await rawRequest(server.baseUrl, 'POST', '/api/v1/reqs/', {
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ Priority: 8, Caps: { board: 'nowhere' } }),
          });
          if (answer.status === 201) latencies.push(performance.now() - started);
          else failures++;
        }
      }),
    );
    const seconds = (performance.now() - began) / 1000;
    console.log(
      `${label}: ${(CREATES / seconds).toFixed(0)} creates/s, p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms${failures ? `, ${failures} failed` : ''}`,
    );
    await assignment(label, servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** One tester as upstream's Go client does it: create, HEAD every 5 ms until IN PROGRESS, close. */
async function arrival(server: ServerProcess): Promise<number> {
  const sent = performance.now();
  const id = await v1RequestInProgress(server.baseUrl, POLL_MS);
  const assigned = performance.now() - sent;
  await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/close`);
  return assigned;
}

/** Create → IN PROGRESS seen by the client, testers spread over the instances, open loop. */
async function assignment(label: string, servers: ServerProcess[]): Promise<void> {
  let agents: FakeAgent[] = [];
  try {
    agents = await startIdleAgents(
      servers[0].baseUrl,
      TOKEN,
      Array.from({ length: BOARDS }, () => ({ uuid: randomUUID(), caps: { board: 'bench' } })),
    );
    const arrivals: Array<Promise<number>> = [];
    for (let i = 0; i < ARRIVALS; i++) {
      arrivals.push(arrival(servers[i % servers.length]));
      await sleep(1000 / ARRIVALS_PER_SECOND);
    }
    const assigned = await Promise.all(arrivals);
    console.log(
      `${label}: create → IN PROGRESS seen by the client p50 ${percentile(assigned, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(assigned, 99).toFixed(1)} ms over ${assigned.length} testers at ` +
        `${ARRIVALS_PER_SECOND}/s, ${BOARDS} idle boards`,
    );
  } finally {
    await Promise.all(agents.map((agent) => agent.stop()));
  }
}
