import { serverNodeOptions } from './server-node-options';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { rawRequest } from '../support/http-client';
import { startServer } from '../support/server-process';
import { tempDir } from '../support/temp-dir';
import { percentile } from './percentiles';
import { costPerCall, serverCost } from './process-cost';

const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef0123456789';
/** Calls per measurement (one client, one after another); 4× as many for 16 clients. */
const CALLS = Number(process.env.LESHY_BENCH_CALLS ?? 1000);
const CLIENTS = 16;

/**
 * What one API v1 call costs the server: one client calling one after another (latency, and
 * the server's CPU time and context switches per call, which a busy machine disturbs far less
 * than latency: each SQLite statement is a trip to node-sqlite3's thread pool and back), then
 * 16 clients creating at once. Creates ask for caps no board has, so no job starts.
 */
export async function callCostBench(): Promise<void> {
  const dir = tempDir('leshy-call-bench-');
  const server = await startServer({
    dataDir: path.join(dir.path, 'server'),
    env: {
      LESHY_HEALTHCHECK_INTERVAL: '1h',
      LESHY_V1_ANONYMOUS_ROLE: 'admin',
      LESHY_ADMIN_TOKEN: ADMIN_TOKEN,
      ...serverNodeOptions(),
    },
  });
  const create = async (token?: string) => {
    const answer = await rawRequest(server.baseUrl, 'POST', '/api/v1/reqs/', {
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ Priority: 8, Caps: { board: 'not-in-this-lab' } }),
    });
    if (answer.status !== 201) throw new Error(`create: ${answer.status} ${answer.body}`);
    return JSON.parse(answer.body).ReqID as number;
  };
  const oneByOne = async (label: string, call: () => Promise<unknown>) => {
    const before = serverCost(server.pid);
    const samples: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const sent = performance.now();
      await call();
      samples.push(performance.now() - sent);
    }
    const ms = (p: number) => percentile(samples, p).toFixed(2);
    console.log(
      `${label.padEnd(44)} p50 ${ms(50)} / p99 ${ms(99)} ms; server ${costPerCall(server.pid, before, CALLS)}`,
    );
  };
  try {
    console.log(`== API v1 calls, one client then ${CLIENTS}: load average ${loadAverage()} ==`);
    const id = await create();
    // A first round warms the server up (JIT, prepared statements); the second is printed.
    for (const round of [1, 2]) {
      if (round === 2) console.log(`-- measured, load average ${loadAverage()}`);
      const log = round === 2 ? console.log : () => undefined;
      const quiet = async (label: string, call: () => Promise<unknown>) =>
        round === 2 ? oneByOne(label, call) : warm(call);
      await quiet('HEAD /api/v1/reqs/:id', () =>
        rawRequest(server.baseUrl, 'HEAD', `/api/v1/reqs/${id}`),
      );
      await quiet('POST /api/v1/reqs/ (anonymous)', () => create());
      await quiet('POST /api/v1/reqs/ (bearer token)', () => create(ADMIN_TOKEN));
      const before = serverCost(server.pid);
      // The clients share the machine with the server: their CPU bounds the rate too.
      const clientsBefore = serverCost(process.pid);
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next++ < CALLS * 4) await create();
        }),
      );
      const rate = (CALLS * 4) / ((performance.now() - started) / 1000);
      log(
        `${`POST /api/v1/reqs/, ${CLIENTS} clients at once`.padEnd(44)} ${rate.toFixed(0)} creates/s; server ${costPerCall(server.pid, before, CALLS * 4)}; clients ${costPerCall(process.pid, clientsBefore, CALLS * 4)}`,
      );
    }
  } finally {
    await server.stop();
    dir.remove();
  }
}

async function warm(call: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < Math.min(CALLS, 200); i++) await call();
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
