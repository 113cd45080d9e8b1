import * as os from 'node:os';
import * as path from 'node:path';
import { rawRequest } from '../support/http-client';
import { startServer, ServerProcess } from '../support/server-process';
import { peekRows } from '../support/sqlite-peek';
import { tempDir } from '../support/temp-dir';
import type { V2Response } from '../support/v2-client';
import { waitFor } from '../support/wait-for';
import { startBenchFleet } from './bench-fleet';
import { BENCH_ADMIN_TOKEN, benchTester } from './bench-tester';
import { startFloorServer } from './floor-server';
import { MachineNoise } from './machine-noise';
import { serverNodeOptions } from './server-node-options';
import { mb, percentile } from './percentiles';
import { costPerCall, serverCost } from './process-cost';

const TOKEN = 'bench-agent-token';
const BOARDS = Number(process.env.LESHY_BENCH_BOARDS ?? 100);
const BACKLOGS = (process.env.LESHY_BENCH_BACKLOGS ?? '0,1000,10000,100000').split(',').map(Number);
/** Measured arrivals per backlog, after WARM_UP that are not counted. */
const SAMPLES = Number(process.env.LESHY_BENCH_SAMPLES ?? 200);
const WARM_UP = 20;
const ARRIVALS_PER_SECOND = 4;
const POLL_MS = 5;
const CLIENTS = 16;
const FLOOR_CREATES = 20_000;

const json = (body: unknown) => ({
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Health {
  queue: { waiting: number; idleWorkers: number };
  eventLoop: {
    stalls: number;
    longestMs: number;
    byCause: Record<string, number>;
    gcPauses: number;
    gcMs: number;
  };
}

async function health(server: ServerProcess): Promise<Health> {
  return JSON.parse((await rawRequest(server.baseUrl, 'GET', '/health')).body) as Health;
}

/** What the server's event loop did between two /health reports. */
function stallsBetween(before: Health, after: Health): string {
  const a = before.eventLoop;
  const b = after.eventLoop;
  const causes = Object.entries(b.byCause)
    .map(([cause, n]) => [cause, n - (a.byCause[cause] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([cause, n]) => `${cause} ${n}`);
  return (
    `server loop: ${b.stalls - a.stalls} stalls > 10 ms` +
    (causes.length ? ` (overlapping: ${causes.join(', ')})` : '') +
    `, longest since start ${b.longestMs} ms; GC ${b.gcPauses - a.gcPauses} pauses, ` +
    `${(b.gcMs - a.gcMs).toFixed(1)} ms`
  );
}

function machine(): string {
  const cpus = os.cpus();
  return (
    `${new Date().toISOString()}, ${cpus.length} cores (${cpus[0]?.model ?? 'unknown CPU'}), ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GB memory, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, node ${process.version}`
  );
}

/** `count` unservable creates by CLIENTS clients at once over API v1; returns creates/s. */
async function fillBacklog(server: { baseUrl: string }, count: number): Promise<number> {
  let next = 0;
  const errors: string[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < count) {
        next++;
        const created = await rawRequest(
          server.baseUrl,
          'POST',
          '/api/v1/reqs/',
          json({ Priority: 8, Caps: { board: 'not-in-this-lab' } }),
        );
        if (created.status !== 201) errors.push(`${created.status} ${created.body}`);
      }
    }),
  );
  if (errors.length) throw new Error(`${errors.length} creates failed, e.g. ${errors[0]}`);
  return count / ((performance.now() - started) / 1000);
}

interface Arrival {
  id: number;
  /** Create sent → the client knows it is IN PROGRESS (ms). */
  assigned: number;
  /** Create sent → its answer (ms). */
  createAnswer: number;
  /** Known IN PROGRESS from the first answer after the create's (v1: the first poll; v2: the create's own). */
  atOnce: boolean;
}

/** How a tester learns that its request runs: one of the two APIs' ways. */
interface Tester {
  label: string;
  atOnce: string;
  arrive(priority: number): Promise<Arrival>;
}

/** As upstream's Go client does it: create, HEAD every 5 ms until IN PROGRESS, close. */
function v1Tester(server: { baseUrl: string }, label = 'API v1'): Tester {
  return {
    label: `${label}, polling HEAD every ${POLL_MS} ms`,
    atOnce: 'first poll already IN PROGRESS',
    async arrive(priority) {
      const sent = performance.now();
      const created = await rawRequest(
        server.baseUrl,
        'POST',
        '/api/v1/reqs/',
        json({ Priority: priority, Caps: { board: 'bench' } }),
      );
      const createAnswer = performance.now() - sent;
      if (created.status !== 201) throw new Error(`create: ${created.status} ${created.body}`);
      const id = JSON.parse(created.body).ReqID as number;
      for (let polls = 1; ; polls++) {
        const head = await rawRequest(server.baseUrl, 'HEAD', `/api/v1/reqs/${id}`);
        const state = head.header('Boruta-Request-State');
        if (state === 'IN PROGRESS') {
          const assigned = performance.now() - sent;
          const closed = await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/close`);
          if (closed.status !== 204) throw new Error(`close: ${closed.status} ${closed.body}`);
          return { id, assigned, createAnswer, atOnce: polls === 1 };
        }
        if (state !== 'WAITING') throw new Error(`request ${id} went ${state}`);
        await sleep(POLL_MS);
      }
    },
  };
}

/**
 * A tester (or CI system) with a token on API v2: the create's answer says IN PROGRESS when
 * the job started with it; otherwise `waitFor=IN_PROGRESS` answers when it does. Then close.
 */
async function v2Tester(server: ServerProcess): Promise<Tester> {
  const tester = await benchTester(server, 'http-bench');
  const expect = (answer: V2Response, status: number, what: string) => {
    if (answer.status !== status)
      throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  };
  return {
    label: 'API v2 with a token, waitFor=IN_PROGRESS',
    atOnce: 'create answered IN PROGRESS',
    async arrive(priority) {
      const sent = performance.now();
      const created = await tester.call('POST', '/api/v2/requests', {
        caps: { board: 'bench' },
        priority,
      });
      const createAnswer = performance.now() - sent;
      expect(created, 201, 'create');
      const id = created.body.id as number;
      const atOnce = created.body.state === 'IN PROGRESS';
      if (!atOnce) {
        const waited = await tester.call(
          'GET',
          `/api/v2/requests/${id}?waitFor=IN_PROGRESS&timeout=60s`,
        );
        expect(waited, 200, 'waitFor');
        if (waited.body.state !== 'IN PROGRESS')
          throw new Error(`request ${id} went ${waited.body.state}`);
      }
      const assigned = performance.now() - sent;
      expect(await tester.call('POST', `/api/v2/requests/${id}/close`), 200, 'close');
      return { id, assigned, createAnswer, atOnce };
    },
  };
}

async function allIdle(server: ServerProcess): Promise<void> {
  await waitFor(
    async () => (await health(server)).queue.idleWorkers === BOARDS,
    `${BOARDS} IDLE workers`,
    300_000,
  );
}

/** Open loop: a new tester every 250 ms whether or not the earlier ones are served. */
async function arrivals(tester: Tester): Promise<Arrival[]> {
  const arriving: Array<Promise<Arrival>> = [];
  for (let i = 0; i < WARM_UP + SAMPLES; i++) {
    arriving.push(tester.arrive(1 + (i % 16)));
    await sleep(1000 / ARRIVALS_PER_SECOND);
  }
  return (await Promise.all(arriving)).slice(WARM_UP);
}

const ms = (samples: number[], p: number) => percentile(samples, p).toFixed(1);

/** What the client saw: create → IN PROGRESS, and the create's own answer. */
function clientSide(measured: Arrival[], tester: Tester): string {
  const assigned = measured.map((a) => a.assigned);
  const answers = measured.map((a) => a.createAnswer);
  const atOnce = measured.filter((a) => a.atOnce).length;
  return (
    `create → IN PROGRESS seen by the client p50 ${ms(assigned, 50)} ms, ` +
    `p99 ${ms(assigned, 99)} ms, max ${ms(assigned, 100)} ms over ${measured.length}; ` +
    `${tester.atOnce} ${atOnce}/${measured.length}; create answered p50 ${ms(answers, 50)} / p99 ${ms(answers, 99)} ms`
  );
}

/**
 * The same API v1 client at the same pace against the floor server (see floor-server.ts):
 * the part of every v1 figure below that no server could remove on this machine.
 */
async function floor(): Promise<void> {
  const server = await startFloorServer();
  try {
    const tester = v1Tester(server, 'floor (node:http answering from memory)');
    const noise = new MachineNoise();
    const measured = await arrivals(tester);
    console.log(`floor, ${tester.label}: ${clientSide(measured, tester)}`);
    console.log(`                ${noise.report()}`);
    // The creates/s figure's floor: the same 16 clients, a server that does nothing.
    const clientsBefore = serverCost(process.pid);
    const serverBefore = serverCost(server.pid);
    const rate = await fillBacklog(server, FLOOR_CREATES);
    console.log(
      `floor, ${FLOOR_CREATES} creates by ${CLIENTS} clients at once: ${rate.toFixed(0)} creates/s; ` +
        `server ${costPerCall(server.pid, serverBefore, FLOOR_CREATES, 'create')}; ` +
        `clients ${costPerCall(process.pid, clientsBefore, FLOOR_CREATES, 'create')}`,
    );
  } finally {
    await server.stop();
  }
}

async function assignment(server: ServerProcess, backlog: number, tester: Tester): Promise<void> {
  await allIdle(server);
  const before = await health(server);
  const noise = new MachineNoise();
  const measured = await arrivals(tester);
  const machineNoise = noise.report();
  const after = await health(server);
  // The server's own view: request created → job started, on the database clock.
  const ids = measured.map((a) => a.id);
  const rows = await peekRows<{ created_at: number; started_at: number }>(
    path.join(server.dataDir, 'leshy.sqlite'),
    `SELECT r.created_at, j.started_at FROM requests r JOIN jobs j ON j.request_id = r.id
     WHERE r.id BETWEEN ? AND ?`,
    [Math.min(...ids), Math.max(...ids)],
  );
  const inServer = rows.map((r) => Number(r.started_at) - Number(r.created_at));
  console.log(
    `backlog ${String(backlog).padStart(6)}, ${tester.label}: ${clientSide(measured, tester)}; ` +
      `in the server (database clock) p50 ${ms(inServer, 50)} / p99 ${ms(inServer, 99)} ms`,
  );
  console.log(`                ${stallsBetween(before, after)}`);
  console.log(`                ${machineNoise}`);
}

async function serverRss(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/**
 * Assignment as an API v1 client sees it: the server and `dryad-agent fleet` as processes,
 * testers arriving at 4/s (open loop), each polling HEAD /api/v1/reqs/:id every 5 ms until
 * IN PROGRESS, then closing. Between measurements the backlog of unservable requests grows,
 * created by 16 clients at once over HTTP; that rate is the create figure.
 */
export async function httpBench(): Promise<void> {
  console.log(`machine: ${machine()}`);
  await floor();
  const dir = tempDir('leshy-http-bench-');
  const server = await startServer({
    dataDir: path.join(dir.path, 'server'),
    env: {
      LESHY_AGENT_TOKEN: TOKEN,
      LESHY_HEALTHCHECK_INTERVAL: '1h',
      LESHY_KEY_POOL: '16',
      // The bench sets its boards IDLE over API v1, as an anonymous admin.
      LESHY_V1_ANONYMOUS_ROLE: 'admin',
      LESHY_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      ...serverNodeOptions(),
    },
  });
  const fleet = await startBenchFleet(server.baseUrl, TOKEN, BOARDS, dir.path);
  try {
    const testers = [v1Tester(server), await v2Tester(server)];
    console.log(
      `== HTTP: ${BOARDS} boards (fleet process), testers at ${ARRIVALS_PER_SECOND}/s on API v1 (polling) and on API v2 (waiting) ==`,
    );
    console.log(`machine: ${machine()}`);
    let backlog = 0;
    for (const target of BACKLOGS) {
      if (target > backlog) {
        const noise = new MachineNoise();
        const before = await health(server);
        const serverBefore = serverCost(server.pid);
        const clientsBefore = serverCost(process.pid);
        const rate = await fillBacklog(server, target - backlog);
        const cost =
          `server ${costPerCall(server.pid, serverBefore, target - backlog, 'create')}; ` +
          `clients ${costPerCall(process.pid, clientsBefore, target - backlog, 'create')}`;
        const after = await health(server);
        console.log(
          `backlog ${String(backlog).padStart(6)} → ${String(target).padStart(6)}: ` +
            `${rate.toFixed(0)} creates/s over HTTP, ${CLIENTS} clients at once; ${cost}`,
        );
        console.log(`                ${stallsBetween(before, after)}`);
        console.log(`                ${noise.report()}`);
        backlog = target;
      }
      for (const tester of testers) await assignment(server, backlog, tester);
    }
    console.log(`server RSS ${mb(await serverRss(server.pid))}; ${machine()}`);
  } finally {
    await fleet.stop();
    await server.stop();
    dir.remove();
  }
}
