import * as path from 'node:path';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import { rawRequest } from '../support/http-client';
import { ServerProcess, startServer } from '../support/server-process';
import { peekRows } from '../support/sqlite-peek';
import { tempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';
import { agentOperationMeans, agentOperationTotals } from './agent-operation-times';
import { startBenchFleet } from './bench-fleet';
import { BENCH_ADMIN_TOKEN, benchTester } from './bench-tester';
import { v1RequestInProgress } from './v1-bench-request';
import { MachineNoise } from './machine-noise';
import { serverNodeOptions } from './server-node-options';
import { mb, percentile } from './percentiles';
import { costPerCall, serverCost } from './process-cost';

const TOKEN = 'bench-agent-token';
const BOARDS = Number(process.env.LESHY_BENCH_BOARDS ?? 100);
const CLIENTS = 16;
const CYCLES = Number(process.env.LESHY_BENCH_CYCLES ?? 2000);

const json = (body: unknown) => ({
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

/** One client's cycle, made once per client from the running server (its credentials, keys). */
type CycleMaker = (server: ServerProcess, client: number) => Promise<() => Promise<void>>;

/**
 * The full cycle through real SSH, twice: clients doing what Weles does over API v1 (create →
 * wait IN PROGRESS → acquire → close), and testers on API v2 with their own keys (create with
 * publicKey → waitFor IN PROGRESS → acquire, which authorizes the key on the board over SSH →
 * close). Every close sends the worker through a prepare over SSH.
 */
export async function cycleBench(): Promise<void> {
  // LESHY_BENCH_CYCLE_APIS=v2 runs one of the two (say, to profile it alone).
  const apis = (process.env.LESHY_BENCH_CYCLE_APIS ?? 'v1,v2').split(',');
  if (apis.includes('v1')) await runCycles('API v1 (Weles)', v1Cycle);
  if (apis.includes('v2')) await runCycles("API v2, testers' own keys", ownKeyCycle);
}

const v1Cycle: CycleMaker = async (server) => async () => {
  const id = await v1RequestInProgress(server.baseUrl, 100);
  const acquired = await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/acquire_worker`);
  if (acquired.status !== 200) throw new Error(`acquire: ${acquired.status} ${acquired.body}`);
  const closed = await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/close`);
  if (closed.status !== 204) throw new Error(`close: ${closed.status} ${closed.body}`);
};

/** A tester of their own (user and token) with one ed25519 key for all their requests. */
const ownKeyCycle: CycleMaker = async (server, client) => {
  const tester = await benchTester(server, `bench-${client}`);
  const publicKey = generateEd25519KeyPair(`bench-${client}`).public.trim();
  const expect = (answer: { status: number; body: unknown }, status: number, what: string) => {
    if (answer.status !== status)
      throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  };
  return async () => {
    const created = await tester.call('POST', '/api/v2/requests', {
      caps: { board: 'bench' },
      publicKey,
    });
    expect(created, 201, 'create');
    const id = created.body.id as number;
    for (let state = created.body.state as string; state !== 'IN PROGRESS';) {
      const waited = await tester.call(
        'GET',
        `/api/v2/requests/${id}?waitFor=IN_PROGRESS&timeout=60s`,
      );
      expect(waited, 200, 'waitFor');
      if (waited.header('wait-result') === 'unreachable')
        throw new Error(`request ${id} went ${waited.body.state}`);
      state = waited.body.state;
    }
    const acquired = await tester.call('POST', `/api/v2/requests/${id}/acquire`);
    expect(acquired, 200, 'acquire');
    if (acquired.body.privateKey !== null) throw new Error('acquire handed out a private key');
    expect(await tester.call('POST', `/api/v2/requests/${id}/close`), 200, 'close');
  };
};

async function runCycles(name: string, makeCycle: CycleMaker): Promise<void> {
  const dir = tempDir('leshy-cycle-bench-');
  const server = await startServer({
    dataDir: path.join(dir.path, 'server'),
    env: {
      LESHY_AGENT_TOKEN: TOKEN,
      LESHY_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      LESHY_V1_ANONYMOUS_ROLE: 'admin',
      LESHY_HEALTHCHECK_INTERVAL: '1h',
      ...serverNodeOptions(),
    },
  });
  const fleet = await startBenchFleet(server.baseUrl, TOKEN, BOARDS, dir.path);
  try {
    await waitFor(
      async () => {
        const idle = await rawRequest(
          server.baseUrl,
          'POST',
          '/api/v1/workers/list',
          json({ Filter: { Capabilities: { board: 'bench' } } }),
        );
        return (
          (JSON.parse(idle.body) as Array<{ State: string }>).filter((w) => w.State === 'IDLE')
            .length === BOARDS
        );
      },
      `${BOARDS} IDLE workers`,
      300_000,
    );
    const cycles = await Promise.all(
      Array.from({ length: CLIENTS }, (_, client) => makeCycle(server, client)),
    );

    const errors: string[] = [];
    let started = 0;
    let done = 0;
    const noise = new MachineNoise();
    const serverBefore = serverCost(server.pid);
    const operationsBefore = await agentOperationTotals(server);
    const fleetBefore = serverCost(fleet.pid);
    // The 16 clients share the machine's two cores with the server and the fleet: their own
    // CPU per cycle is part of what bounds the rate here (not in a lab, where they run elsewhere).
    const clientsBefore = serverCost(process.pid);
    const progress = setInterval(() => console.log(`  … ${done}/${CYCLES} cycles`), 15_000);
    const began = performance.now();
    await Promise.all(
      cycles.map(async (cycle) => {
        while (started < CYCLES) {
          started++;
          await cycle().catch((error: Error) => errors.push(error.message));
          done++;
        }
      }),
    );
    const seconds = (performance.now() - began) / 1000;
    const cost =
      `server ${costPerCall(server.pid, serverBefore, CYCLES, 'cycle')}; ` +
      `fleet ${costPerCall(fleet.pid, fleetBefore, CYCLES, 'cycle')}; ` +
      `clients ${costPerCall(process.pid, clientsBefore, CYCLES, 'cycle')}\n` +
      agentOperationMeans(operationsBefore, await agentOperationTotals(server));
    clearInterval(progress);
    // Assignment latency from the database: when each request was created and its job started.
    const rows = await peekRows<{ created_at: number; started_at: number }>(
      path.join(server.dataDir, 'leshy.sqlite'),
      'SELECT r.created_at, j.started_at FROM requests r JOIN jobs j ON j.request_id = r.id',
    );
    const latencies = rows.map((r) => Number(r.started_at) - Number(r.created_at));
    const rss = await serverRss(server.pid);
    console.log(
      `== full cycle through SSH, ${name}: ${BOARDS} boards (fleet), ${CLIENTS} clients, ${CYCLES} cycles ==`,
    );
    console.log(
      `${(CYCLES / seconds).toFixed(1)} cycles/s over ${seconds.toFixed(0)} s, ${errors.length} errors; ` +
        `assignment p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms (database clock, ms); server RSS ${mb(rss)}`,
    );
    console.log(cost);
    console.log(noise.report());
    for (const error of errors.slice(0, 5)) console.log(`  error: ${error}`);
  } finally {
    await fleet.stop();
    await server.stop();
    dir.remove();
  }
}

async function serverRss(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}
