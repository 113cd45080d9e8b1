import { ADMIN, AGENT, TESTER } from '../support/actors';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/load-config';
import { DryadPort } from '../../src/dryad/dryad.port';
import { DomainEventBus } from '../../src/events/domain-event-bus';
import { JobKeyPool } from '../../src/keys/job-key-pool.service';
import { MatcherService } from '../../src/matcher/matcher.service';
import { RequestsService } from '../../src/requests/requests.service';
import { WorkersService } from '../../src/workers/workers.service';
import { FakeDryad } from '../fakes/fake-dryad';
import { workerRegistration } from '../factories/worker.factory';
import { tempDir } from '../support/temp-dir';
import { MachineNoise } from './machine-noise';
import { mb, percentile } from './percentiles';

const BACKLOGS = [0, 1_000, 10_000];
const CREATES = 3_000;
const IN_FLIGHT = 16;
const WORKERS = 100;
const ARRIVALS_PER_SECOND = 4;
/** Requests per round: fewer than the workers, so every arrival finds idle workers. */
const ARRIVALS_PER_ROUND = 80;
/** This VM shares its cores (steal time is visible): each figure is the median of several runs. */
const ROUNDS = Number(process.env.LESHY_BENCH_ROUNDS ?? 3);

interface Server {
  app: INestApplicationContext;
  requests: RequestsService;
  workers: WorkersService;
  matcher: MatcherService;
  bus: DomainEventBus;
  keys: JobKeyPool;
  close(): Promise<void>;
}

/** The real server in-process (SQLite file, real clock, real key pool), agents faked. */
async function startServer(): Promise<Server> {
  // The previous scenario's server is garbage now: collected here, not in this measurement.
  (globalThis as { gc?: () => void }).gc?.();
  const dir = tempDir('leshy-bench-');
  const config = loadConfig({ LESHY_DATA_DIR: dir.path, LESHY_HTTP_ADDR: '127.0.0.1:0' });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(DryadPort)
    .useValue(new FakeDryad())
    .compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  await app.init();
  return {
    app,
    requests: app.get(RequestsService),
    workers: app.get(WorkersService),
    matcher: app.get(MatcherService),
    bus: app.get(DomainEventBus),
    keys: app.get(JobKeyPool),
    close: async () => {
      await app.close();
      dir.remove();
    },
  };
}

/** Runs `count` calls with at most `inFlight` at once; returns calls per second. */
async function rate(
  count: number,
  inFlight: number,
  call: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await call(next++);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

async function fillBacklog(server: Server, size: number): Promise<void> {
  await rate(size, IN_FLIGHT, () =>
    server.requests.create({ caps: { board: 'not-in-this-lab' }, priority: 8 }, TESTER),
  );
}

async function createRate(
  backlog: number,
): Promise<{ concurrent: number; sequential: number; rss: number }> {
  const server = await startServer();
  try {
    await fillBacklog(server, backlog);
    await steady(server);
    const create = () =>
      server.requests.create({ caps: { board: 'not-in-this-lab' }, priority: 8 }, TESTER);
    const concurrent: number[] = [];
    const sequential: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      concurrent.push(await rate(CREATES, IN_FLIGHT, create));
      sequential.push(await rate(CREATES / 4, 1, create));
    }
    return {
      concurrent: percentile(concurrent, 50),
      sequential: percentile(sequential, 50),
      rss: process.memoryUsage().rss,
    };
  } finally {
    await server.close();
  }
}

/** Waits until start-up work (prewarming the key pool) is over, so it does not skew a figure. */
async function steady(server: Server): Promise<void> {
  while (server.keys.stats().ready < 16) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function assignmentLatency(
  backlog: number,
): Promise<{ p50: number; p99: number; samples: number; rss: number }> {
  const server = await startServer();
  try {
    await fillBacklog(server, backlog);
    for (let i = 0; i < WORKERS; i++) {
      const { uuid } = await server.workers.register(
        workerRegistration({ caps: { board: 'bench' } }),
        AGENT,
      );
      await server.workers.setState(uuid, 'IDLE', ADMIN);
    }
    const createdAt = new Map<number, number>();
    const latencies: number[] = [];
    let measuring = false;
    const started: number[] = [];
    server.bus.on('request.state-changed', (event) => {
      if (event.to !== 'IN PROGRESS') return;
      const at = createdAt.get(event.request.id);
      if (at === undefined) return;
      if (measuring) latencies.push(performance.now() - at);
      started.push(event.request.id);
    });
    // Round -1 warms up (the JIT compiles the hot paths of this server) and is not counted.
    for (let round = -1; round < ROUNDS; round++) {
      measuring = round >= 0;
      // Every round starts with all workers idle and nothing else running (no prepares).
      while (server.matcher.stats().idleWorkers < WORKERS)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await steady(server);
      for (let i = 0; i < ARRIVALS_PER_ROUND; i++) {
        const at = performance.now();
        const request = await server.requests.create(
          { caps: { board: 'bench' }, priority: 1 + (i % 16) },
          TESTER,
        );
        if (request.state === 'IN PROGRESS') {
          // Matched in its own create transaction: assigned when the create answered.
          if (measuring) latencies.push(performance.now() - at);
          started.push(request.id);
        } else {
          // Otherwise a pass matches it after this commit (setImmediate): recorded in time.
          createdAt.set(request.id, at);
        }
        await new Promise((resolve) => setTimeout(resolve, 1000 / ARRIVALS_PER_SECOND));
      }
      while (started.length < ARRIVALS_PER_ROUND)
        await new Promise((resolve) => setTimeout(resolve, 50));
      // The testers are done: the workers are cleaned for the next round.
      for (const id of started.splice(0)) await server.requests.close(id, TESTER);
    }
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      samples: latencies.length,
      rss: process.memoryUsage().rss,
    };
  } finally {
    await server.close();
  }
}

export async function coreBench(): Promise<void> {
  console.log(`== core: request creation (SQLite, durable on commit), median of ${ROUNDS} runs ==`);
  for (const backlog of BACKLOGS) {
    const { concurrent, sequential, rss } = await createRate(backlog);
    console.log(
      `backlog ${String(backlog).padStart(6)}: ${concurrent.toFixed(0).padStart(5)} creates/s with ${IN_FLIGHT} in flight, ` +
        `${sequential.toFixed(0).padStart(5)} creates/s one at a time   RSS ${mb(rss)}`,
    );
  }
  console.log(
    `== core: assignment latency (created → IN PROGRESS), ${WORKERS} idle workers, ${ARRIVALS_PER_SECOND} requests/s ==`,
  );
  for (const backlog of BACKLOGS) {
    const noise = new MachineNoise();
    const { p50, p99, samples, rss } = await assignmentLatency(backlog);
    console.log(
      `backlog ${String(backlog).padStart(6)}: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms over ${samples} requests   RSS ${mb(rss)}`,
    );
    console.log(`                ${noise.report()}`);
  }
}
