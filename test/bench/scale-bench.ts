import { rawRequest } from '../support/http-client';
import { scratchPostgres } from '../support/scratch-postgres';
import { ServerProcess, startServer } from '../support/server-process';
import { MachineNoise } from './machine-noise';
import { percentile } from './percentiles';

const CREATES = Number(process.env.LESHY_BENCH_CREATES ?? 3_000);
const IN_FLIGHT = 16;

/**
 * Request creation through HTTP (API v1) as clients see it, on SQLite (one instance) and on
 * PostgreSQL with one and with two instances (clients spread over both), real server processes.
 */
export async function scaleBench(): Promise<void> {
  console.log(`== creates through HTTP: ${CREATES} creates, ${IN_FLIGHT} in flight ==`);
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
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
