import * as path from 'node:path';
import { rawRequest } from '../support/http-client';
import { startServer } from '../support/server-process';
import { peekRows } from '../support/sqlite-peek';
import { tempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';
import { startBenchFleet } from './bench-fleet';
import { MachineNoise } from './machine-noise';
import { mb, percentile } from './percentiles';

const TOKEN = 'bench-agent-token';
const BOARDS = Number(process.env.LESHY_BENCH_BOARDS ?? 100);
const CLIENTS = 16;
const CYCLES = Number(process.env.LESHY_BENCH_CYCLES ?? 2000);

const json = (body: unknown) => ({
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * The full cycle through real SSH: the server and `dryad-agent fleet` as processes, clients
 * doing what Weles does over API v1 (create → wait IN PROGRESS → acquire → close). Every close
 * sends the worker through a prepare over SSH with a fresh job key.
 */
export async function cycleBench(): Promise<void> {
  const dir = tempDir('leshy-cycle-bench-');
  const server = await startServer({
    dataDir: path.join(dir.path, 'server'),
    env: {
      LESHY_AGENT_TOKEN: TOKEN,
      LESHY_V1_ANONYMOUS_ROLE: 'admin',
      LESHY_HEALTHCHECK_INTERVAL: '1h',
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

    const errors: string[] = [];
    let started = 0;
    let done = 0;
    const cycle = async () => {
      const created = await rawRequest(
        server.baseUrl,
        'POST',
        '/api/v1/reqs/',
        json({ Priority: 8, Caps: { board: 'bench' } }),
      );
      if (created.status !== 201) throw new Error(`create: ${created.status} ${created.body}`);
      const id = JSON.parse(created.body).ReqID as number;
      for (;;) {
        const state = (await rawRequest(server.baseUrl, 'HEAD', `/api/v1/reqs/${id}`)).header(
          'Boruta-Request-State',
        );
        if (state === 'IN PROGRESS') break;
        if (state !== 'WAITING') throw new Error(`request ${id} went ${state}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const acquired = await rawRequest(
        server.baseUrl,
        'POST',
        `/api/v1/reqs/${id}/acquire_worker`,
      );
      if (acquired.status !== 200) throw new Error(`acquire: ${acquired.status} ${acquired.body}`);
      const closed = await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/close`);
      if (closed.status !== 204) throw new Error(`close: ${closed.status} ${closed.body}`);
    };
    const noise = new MachineNoise();
    const progress = setInterval(() => console.log(`  … ${done}/${CYCLES} cycles`), 15_000);
    const began = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (started < CYCLES) {
          started++;
          await cycle().catch((error: Error) => errors.push(error.message));
          done++;
        }
      }),
    );
    const seconds = (performance.now() - began) / 1000;
    clearInterval(progress);
    // Assignment latency from the database: when each request was created and its job started.
    const rows = await peekRows<{ created_at: number; started_at: number }>(
      path.join(server.dataDir, 'leshy.sqlite'),
      'SELECT r.created_at, j.started_at FROM requests r JOIN jobs j ON j.request_id = r.id',
    );
    const latencies = rows.map((r) => Number(r.started_at) - Number(r.created_at));
    const rss = await serverRss(server.pid);
    console.log(
      `== full cycle through SSH: ${BOARDS} boards (fleet), ${CLIENTS} clients, ${CYCLES} cycles ==`,
    );
    console.log(
      `${(CYCLES / seconds).toFixed(1)} cycles/s over ${seconds.toFixed(0)} s, ${errors.length} errors; ` +
        `assignment p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms (database clock, ms); server RSS ${mb(rss)}`,
    );
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
