import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { installHttpLayers } from '../../src/api/http-setup';
import { AppModule } from '../../src/app.module';
import { Clock } from '../../src/common/clock';
import { AppConfig } from '../../src/config/app-config';
import { Environment, loadConfig } from '../../src/config/load-config';
import { DryadPort } from '../../src/dryad/dryad.port';
import { JobsService } from '../../src/jobs/jobs.service';
import { JobKeyPool } from '../../src/keys/job-key-pool.service';
import { MatcherService } from '../../src/matcher/matcher.service';
import { RequestsService } from '../../src/requests/requests.service';
import { Timekeeper } from '../../src/timekeeper/timekeeper.service';
import { WorkerOperations } from '../../src/workers/worker-operations.service';
import { WorkersService } from '../../src/workers/workers.service';
import { FakeClock } from '../fakes/fake-clock';
import { FakeDryad } from '../fakes/fake-dryad';
import { RecycledKeyPool } from '../fakes/recycled-key-pool';
import { scratchPostgres } from './scratch-postgres';
import { tempDir } from './temp-dir';
import { verifyRowCache } from '../../src/database/writer-row-cache';

export interface TestAppOptions {
  /** Data dir (SQLite file, secret); reuse one to restart on the same database. */
  dataDir: string;
  clock?: FakeClock;
  dryad?: FakeDryad;
  /** Extra LESHY_* variables. */
  env?: Environment;
  /** Use real, fresh job keys (slower) instead of a few recycled ones. */
  freshKeys?: boolean;
  /** Listen on HTTP (127.0.0.1, ephemeral port). */
  http?: boolean;
  /** Controllers added to the app (a suite's own routes). */
  extraControllers?: Array<new (...args: never[]) => unknown>;
  /** A suite about SQLite itself: stays on SQLite under LESHY_TEST_DATABASE=postgres. */
  sqliteOnly?: boolean;
  /** Stands in for the job key pool (a pool in a given state); default: freshKeys decides. */
  keyPool?: object;
}

/** The whole server in-process on a real SQLite file, with a fake clock and fake agents. */
export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  clock: FakeClock;
  dryad: FakeDryad;
  requests: RequestsService;
  workers: WorkersService;
  jobs: JobsService;
  matcher: MatcherService;
  timekeeper: Timekeeper;
  /** Waits until no matching pass and no agent operation is pending. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The usual suite setup: one app on a fresh temp data dir for the whole describe block, handed
 * to `started` in beforeAll, closed and its data dir removed in afterAll.
 */
export function startTestAppPerSuite(
  started: (app: TestApp) => void,
  options: Omit<TestAppOptions, 'dataDir'> = {},
): void {
  const dir = tempDir();
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp({ ...options, dataDir: dir.path });
    started(app);
  });
  afterAll(async () => {
    await app?.close();
    dir.remove();
  });
}

export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const dryad = options.dryad ?? new FakeDryad();
  return { ...(await boot(options, dryad)), dryad };
}

/** The whole server in-process, driving agents (test/support/fake-agent.ts) over real SSH. */
export interface SshTestApp extends Omit<TestApp, 'dryad'> {
  /** Where the HTTP API listens (agents register there). */
  baseUrl: string;
}

/** As startTestApp, but with the real SSH driver instead of FakeDryad, and HTTP on. */
export async function startSshTestApp(
  options: Omit<TestAppOptions, 'dryad' | 'http'>,
): Promise<SshTestApp> {
  const app = await boot({ ...options, http: true }, null);
  return { ...app, baseUrl: await app.app.getUrl() };
}

const scratchOfDataDir = new Map<string, Promise<{ url: string }>>();

/**
 * LESHY_TEST_DATABASE=postgres runs a suite on PostgreSQL instead of a SQLite file: one scratch
 * database per data dir, so a suite that restarts on its data dir restarts on its database. A
 * suite that names its own database (LESHY_DATABASE_URL) keeps it. The scratch databases are
 * not dropped here (a suite may still use them in its last hooks): .ci/run drops them by prefix.
 */
async function testDatabase(options: TestAppOptions): Promise<Environment> {
  if (
    process.env.LESHY_TEST_DATABASE !== 'postgres' ||
    options.sqliteOnly ||
    options.env?.LESHY_DATABASE_URL
  )
    return {};
  let scratch = scratchOfDataDir.get(options.dataDir);
  if (!scratch) {
    scratch = scratchPostgres();
    scratchOfDataDir.set(options.dataDir, scratch);
  }
  return { LESHY_DATABASE_URL: (await scratch).url };
}

/** Builds and starts the app; `dryad` null keeps the real DryadPort (SSH). */
async function boot(
  options: TestAppOptions,
  dryad: FakeDryad | null,
): Promise<Omit<TestApp, 'dryad'>> {
  const clock = options.clock ?? new FakeClock();
  // Every row the SQLite writer's cache answers in a test is checked against the database.
  verifyRowCache(true);
  const config = loadConfig({
    LESHY_DATA_DIR: options.dataDir,
    LESHY_HTTP_ADDR: '127.0.0.1:0',
    LESHY_KEY_POOL: '2',
    LESHY_SWEEP_INTERVAL: '1h',
    ...(await testDatabase(options)),
    ...options.env,
  });
  let builder = Test.createTestingModule({
    imports: [AppModule.forRoot(config)],
    controllers: options.extraControllers ?? [],
  })
    .overrideProvider(Clock)
    .useValue(clock);
  if (dryad) builder = builder.overrideProvider(DryadPort).useValue(dryad);
  if (options.keyPool) builder = builder.overrideProvider(JobKeyPool).useValue(options.keyPool);
  else if (!options.freshKeys)
    builder = builder.overrideProvider(JobKeyPool).useValue(new RecycledKeyPool());
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  if (options.http) {
    installHttpLayers(app);
    await app.listen(0, '127.0.0.1');
  } else await app.init();
  const matcher = app.get(MatcherService);
  const operations = app.get(WorkerOperations);
  // Quiet when, three times in a row, no matching pass and no agent operation is pending.
  const settle = async () => {
    for (let round = 0; round < 3; round++) {
      await matcher.idleUntilSettled();
      await operations.settled();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    app,
    config,
    clock,
    requests: app.get(RequestsService),
    workers: app.get(WorkersService),
    jobs: app.get(JobsService),
    matcher,
    timekeeper: app.get(Timekeeper),
    settle,
    close: async () => {
      await settle();
      await app.close();
    },
  };
}
