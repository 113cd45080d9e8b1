/**
 * `npm run chaos`: a real server and a fleet of boards under mixed load, the server killed with
 * SIGKILL at random moments and restarted; then what must hold is checked from the database.
 *
 *   npm run chaos                      SQLite, one instance, 20 kills
 *   npm run chaos -- postgres          two instances on a scratch PostgreSQL database, the
 *                                      scheduling instance killed 10 times
 *   npm run chaos -- --kills 3 --boards 8    shorter (CI)
 *
 * Exit status 1 when any check fails.
 */
import 'reflect-metadata';
import * as path from 'node:path';
import { Client } from 'pg';
import { AgentProcess, startAgentProcess } from '../support/agent-process';
import { rawRequest } from '../support/http-client';
import { scratchPostgres } from '../support/scratch-postgres';
import { freePort, ServerProcess, startServer } from '../support/server-process';
import { peekRows } from '../support/sqlite-peek';
import { tempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const TOKEN = 'chaos-agent-token';
const BOARD = 'chaos';
const JOB_TIMEOUT_S = 15;
/** How late a sweep may catch an overdue deadline or job timeout (sweep interval 1 s). */
const GRACE_MS = 5_000;

interface Options {
  postgres: boolean;
  kills: number;
  boards: number;
}

function options(argv: string[]): Options {
  const postgres = argv.includes('postgres');
  const value = (name: string, fallback: number) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? Number(argv[at + 1]) : fallback;
  };
  return { postgres, kills: value('kills', postgres ? 10 : 20), boards: value('boards', 20) };
}

const json = (body: unknown) => ({
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const random = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));

/** One server instance that is killed and restarted on the same port and data dir. */
interface Slot {
  port: number;
  dataDir: string;
  server: ServerProcess | null;
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const dir = tempDir('leshy-chaos-');
  const database = opts.postgres ? await scratchPostgres() : null;
  const env: Record<string, string> = {
    LESHY_AGENT_TOKEN: TOKEN,
    LESHY_SECRET: 'chaos-secret-shared-by-the-instances',
    LESHY_SWEEP_INTERVAL: '1s',
    LESHY_JOB_TIMEOUT: `${JOB_TIMEOUT_S}s`,
    LESHY_HEALTHCHECK_INTERVAL: '1h',
    ...(database ? { LESHY_DATABASE_URL: database.url } : {}),
  };
  const slots: Slot[] = [];
  for (let i = 0; i < (opts.postgres ? 2 : 1); i++) {
    const slot: Slot = {
      port: await freePort(),
      dataDir: path.join(dir.path, `s${i}`),
      server: null,
    };
    slot.server = await startServer({ port: slot.port, dataDir: slot.dataDir, env });
    slots.push(slot);
  }
  const urlOf = (slot: Slot) => `http://127.0.0.1:${slot.port}`;
  let fleet: AgentProcess | null = null;
  try {
    fleet = await startFleet(urlOf(slots[0]), opts.boards, path.join(dir.path, 'fleet'));
    await allIdle(urlOf(slots[0]), opts.boards);
    console.log(
      `== chaos: ${opts.postgres ? 'PostgreSQL, 2 instances' : 'SQLite, 1 instance'}, ${opts.boards} boards, ${opts.kills} kills ==`,
    );

    const load = new Load(() => urlOf(slots[random(0, slots.length)]));
    const running = load.start(6, 2);
    const failovers: number[] = [];
    const restarts: number[] = [];
    for (let kill = 1; kill <= opts.kills; kill++) {
      await sleep(random(1_000, 3_000));
      const victim = opts.postgres ? await scheduler(slots, urlOf) : slots[0];
      process.kill(victim.server!.pid, 'SIGKILL');
      const killedAt = Date.now();
      await victim.server!.stop();
      if (opts.postgres) {
        const survivor = slots.find((s) => s !== victim)!;
        await waitFor(
          async () => (await health(urlOf(survivor)))?.scheduler?.schedulesHere === true,
          'the other instance to take over',
          30_000,
        );
        failovers.push(Date.now() - killedAt);
      }
      victim.server = await startServer({ port: victim.port, dataDir: victim.dataDir, env });
      restarts.push(Date.now() - killedAt);
      process.stdout.write(`  kill ${kill}/${opts.kills}${kill === opts.kills ? '\n' : '\r'}`);
    }
    await load.stop(running);

    const query = database
      ? postgresQuery(database.url)
      : (sql: string) =>
          peekRows<Record<string, unknown>>(path.join(slots[0].dataDir, 'leshy.sqlite'), sql);
    const report = await check(query, load.acknowledged);
    console.log(
      `acknowledged requests: ${load.acknowledged.size}, cycles completed: ${load.cycles}, ` +
        `restarts: longest ${Math.max(...restarts)} ms` +
        (failovers.length ? `, failover: longest ${Math.max(...failovers)} ms` : ''),
    );
    for (const [name, value] of Object.entries(report)) console.log(`${name}: ${value}`);
    const failed = Object.values(report).some((v) => v !== 0);
    console.log(failed ? 'CHAOS CHECKS FAILED' : 'all chaos checks passed');
    process.exitCode = failed ? 1 : 0;
  } finally {
    await fleet?.stop();
    for (const slot of slots) await slot.server?.stop();
    await database?.drop();
    dir.remove();
  }
}

async function startFleet(
  serverUrl: string,
  boards: number,
  dataDir: string,
): Promise<AgentProcess> {
  const fleet = startAgentProcess([
    'fleet',
    '--count',
    String(boards),
    '--server',
    serverUrl,
    '--token',
    TOKEN,
    '--caps',
    `board=${BOARD}`,
    '--base-port',
    '0',
    '--data-dir',
    dataDir,
    '--log-level',
    'warn',
  ]);
  await fleet.waitForOutput(
    new RegExp(`${boards} boards registered`),
    'the fleet to register',
    120_000,
  );
  return fleet;
}

async function allIdle(url: string, boards: number): Promise<void> {
  const listed = JSON.parse(
    (await rawRequest(url, 'POST', '/api/v1/workers/list', json({}))).body,
  ) as Array<{
    WorkerUUID: string;
  }>;
  for (const w of listed)
    await rawRequest(
      url,
      'POST',
      `/api/v1/workers/${w.WorkerUUID}/setstate`,
      json({ WorkerState: 'IDLE' }),
    );
  await waitFor(
    async () => {
      const all = JSON.parse(
        (await rawRequest(url, 'POST', '/api/v1/workers/list', json({}))).body,
      ) as Array<{
        State: string;
      }>;
      return all.filter((w) => w.State === 'IDLE').length === boards;
    },
    `${boards} IDLE workers`,
    120_000,
  );
}

interface Health {
  scheduler?: { schedulesHere: boolean };
}

async function health(url: string): Promise<Health | null> {
  const answer = await rawRequest(url, 'GET', '/health').catch(() => null);
  return answer?.status === 200 ? (JSON.parse(answer.body) as Health) : null;
}

async function scheduler(slots: Slot[], urlOf: (s: Slot) => string): Promise<Slot> {
  for (;;) {
    for (const slot of slots)
      if ((await health(urlOf(slot)))?.scheduler?.schedulesHere) return slot;
    await sleep(100);
  }
}

/**
 * Clients as a lab has them: cyclers (create, wait IN PROGRESS, acquire, close; one in four
 * walks away and leaves the job to its timeout) and waiters (requests nobody can serve, with a
 * deadline a few seconds ahead). Errors while a server is down are expected: a request counts
 * only once it was acknowledged (201).
 */
class Load {
  readonly acknowledged = new Set<number>();
  cycles = 0;
  private stopped = false;

  constructor(private readonly url: () => string) {}

  start(cyclers: number, waiters: number): Promise<unknown> {
    return Promise.all([
      ...Array.from({ length: cyclers }, () => this.cycler()),
      ...Array.from({ length: waiters }, () => this.waiter()),
    ]);
  }

  async stop(running: Promise<unknown>): Promise<void> {
    this.stopped = true;
    await running;
  }

  private async create(body: unknown): Promise<number | null> {
    const answer = await rawRequest(this.url(), 'POST', '/api/v1/reqs/', json(body)).catch(
      () => null,
    );
    if (answer?.status !== 201) return null;
    const id = (JSON.parse(answer.body) as { ReqID: number }).ReqID;
    this.acknowledged.add(id);
    return id;
  }

  private async cycler(): Promise<void> {
    while (!this.stopped) {
      const id = await this.create({ Priority: random(1, 17), Caps: { board: BOARD } });
      if (id === null) {
        await sleep(100);
        continue;
      }
      const deadline = Date.now() + 30_000;
      let state: string | undefined;
      while (!this.stopped && Date.now() < deadline) {
        const head = await rawRequest(this.url(), 'HEAD', `/api/v1/reqs/${id}`).catch(() => null);
        state = head?.header('Boruta-Request-State');
        if (state && state !== 'WAITING') break;
        await sleep(100);
      }
      if (state !== 'IN PROGRESS') continue;
      await rawRequest(this.url(), 'POST', `/api/v1/reqs/${id}/acquire_worker`).catch(() => null);
      if (Math.random() < 0.25) continue;
      await rawRequest(this.url(), 'POST', `/api/v1/reqs/${id}/close`).catch(() => null);
      this.cycles++;
    }
  }

  private async waiter(): Promise<void> {
    while (!this.stopped) {
      const deadline = new Date(Date.now() + random(2_000, 6_000)).toISOString();
      await this.create({
        Priority: random(1, 17),
        Caps: { board: 'nowhere' },
        Deadline: deadline,
      });
      await sleep(200);
    }
  }
}

type Query = (sql: string) => Promise<Array<Record<string, unknown>>>;

function postgresQuery(url: string): Query {
  return async (sql) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Array<Record<string, unknown>>;
    } finally {
      await client.end();
    }
  };
}

/**
 * What must hold after the storm. Time-based checks are given until the sweep could have
 * caught up (GRACE_MS past the moment); the counts are read again until they settle or a
 * minute has passed.
 */
async function check(query: Query, acknowledged: Set<number>): Promise<Record<string, number>> {
  const count = async (sql: string) => Number((await query(sql))[0]?.n ?? 0);
  const stored = new Set((await query('SELECT id FROM requests')).map((r) => Number(r.id)));
  const lost = [...acknowledged].filter((id) => !stored.has(id)).length;
  const doubles = await count(
    `SELECT count(*) AS n FROM jobs a JOIN jobs b ON a.worker_uuid = b.worker_uuid
       AND a.request_id < b.request_id
       AND a.started_at < COALESCE(b.ended_at, 9000000000000000)
       AND b.started_at < COALESCE(a.ended_at, 9000000000000000)`,
  );
  const settling = async () => {
    const cutoff = Date.now() - GRACE_MS;
    return {
      'requests WAITING past their deadline': await count(
        `SELECT count(*) AS n FROM requests WHERE state = 'WAITING' AND deadline < ${cutoff}`,
      ),
      'requests IN PROGRESS past their job timeout': await count(
        `SELECT count(*) AS n FROM jobs WHERE ended_at IS NULL AND timeout_at < ${cutoff}`,
      ),
      'workers stuck in PREPARE or BUSY': await count(
        `SELECT count(*) AS n FROM workers WHERE state IN ('PREPARE', 'BUSY')`,
      ),
    };
  };
  let settled = await settling();
  const until = Date.now() + 60_000;
  while (Object.values(settled).some((v) => v !== 0) && Date.now() < until) {
    await sleep(1_000);
    settled = await settling();
  }
  return {
    'acknowledged requests lost': lost,
    'workers assigned to two running requests at once': doubles,
    ...settled,
  };
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
