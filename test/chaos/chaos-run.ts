import * as path from 'node:path';
import { AgentProcess, startAgentProcess } from '../support/agent-process';
import { v1Json } from '../support/http-client';
import { scratchPostgres } from '../support/scratch-postgres';
import { tempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';
import { countStates, listAllRequests, listWorkers } from './api-snapshot';
import { ChaosApi, pause } from './chaos-api';
import { ChaosOptions } from './chaos-options';
import {
  findDoubleStartsInAudit,
  findLost,
  findOverdue,
  findOverlappingJobs,
  findStuckWorkers,
} from './checks';
import { ChaosCluster, ChaosDatabase } from './cluster';
import { readDatabase } from './database-snapshot';
import { CHAOS_BOARD, ChaosLoad } from './load';
import { Random } from './random';
import { SchedulerWatch } from './scheduler-watch';

const TOKEN = 'chaos-agent-token';

/** What a chaos run measured and found; every list under `violations` must be empty. */
export interface ChaosReport {
  kills: number;
  /** Per restart: from starting the process to /health answering 200. */
  restartMs: number[];
  /** Per kill: from the SIGKILL until a server answers again (a restart, or a failover). */
  outageMs: number[];
  /** Per kill of the scheduler (several instances): until another instance schedules. */
  failoverMs: number[];
  acknowledged: number;
  cycles: number;
  abandoned: number;
  waitingRequests: number;
  requestStates: Record<string, number>;
  workerStates: Record<string, number>;
  violations: {
    lost: string[];
    doubleAssigned: string[];
    overdueWaiting: string[];
    overdueInProgress: string[];
    stuckWorkers: string[];
    inconsistent: string[];
    serverErrors: string[];
    scheduling: string[];
  };
  /** Worth a look, not a broken promise: workers FAILED, refused calls. */
  notes: string[];
  seconds: number;
  /** Kept when asked to, or when a violation was found. */
  keptAt: string | null;
}

/** The longest failover allowed: another instance schedules within 10 s (docs/faults.md). */
const FAILOVER_LIMIT_MS = 10_000;

/**
 * A real server (or several on one PostgreSQL), a real `dryad-agent fleet`, mixed API v1 load,
 * and `options.kills` SIGKILLs at random moments; then the checks. `log` gets the progress.
 */
export async function runChaos(
  options: ChaosOptions,
  log: (line: string) => void,
): Promise<ChaosReport> {
  const began = performance.now();
  const overdue = () => performance.now() - began > options.maxSeconds * 1000;
  const random = new Random(options.seed);
  const dir = tempDir('leshy-chaos-');
  const postgres = options.postgres ? await scratchPostgres() : null;
  const database: ChaosDatabase = postgres
    ? { kind: 'postgres', url: postgres.url }
    : { kind: 'sqlite', file: path.join(dir.path, 'server', 'leshy.sqlite') };
  let cluster: ChaosCluster | null = null;
  let fleet: AgentProcess | null = null;
  let keep = options.keep;
  try {
    cluster = await ChaosCluster.start(options.instances, dir.path, database, {
      LESHY_AGENT_TOKEN: TOKEN,
      LESHY_SECRET: 'chaos-run-secret-shared-by-every-instance',
      LESHY_JOB_TIMEOUT: `${options.jobTimeoutSeconds}s`,
      LESHY_SWEEP_INTERVAL: `${options.sweepSeconds}s`,
      LESHY_HEALTHCHECK_INTERVAL: '1h',
      LESHY_DRYAD_TIMEOUT: '10s',
      LESHY_KEY_POOL: '8',
      // The clients set boards IDLE over API v1 without a token, as upstream's clients do.
      LESHY_V1_ANONYMOUS_ROLE: 'admin',
    });
    const servers = cluster;
    const watch = servers.size > 1 ? new SchedulerWatch(servers) : null;
    if (watch && (await watch.elected(15_000)) === null)
      throw new Error('no instance schedules 15 s after start-up');
    log(
      `${servers.size} server(s) on ${database.kind}: ${[...Array(servers.size).keys()].map((i) => servers.url(i)).join(', ')}`,
    );

    fleet = await startFleet(servers.url(0), options.boards, path.join(dir.path, 'fleet'));
    await setAllIdle(servers.url(0), options.boards);
    log(
      `${options.boards} boards IDLE; load: ${options.cyclers} cyclers, ${options.waiters} waiters`,
    );

    let abort = false;
    const urls = [...Array(servers.size).keys()].map((i) => servers.url(i));
    const api = new ChaosApi(urls, () => abort);
    const load = new ChaosLoad(api, random, servers.size);
    load.start(options.cyclers, options.waiters);

    const report = newReport();
    for (let k = 1; k <= options.kills; k++) {
      if (overdue())
        throw new Error(`the run took longer than --max-seconds ${options.maxSeconds}`);
      const up = random.int(options.minUpMs, options.maxUpMs);
      await pause(up);
      const victim = watch ? ((await watch.current()) ?? 0) : 0;
      const pid = servers.pid(victim);
      const killedAt = performance.now();
      await servers.kill(victim);
      let line = `kill ${k}/${options.kills}: SIGKILL instance ${victim} (pid ${pid}) after ${(up / 1000).toFixed(1)} s up`;
      if (watch) {
        const next = await watch.elected(30_000);
        const failover = performance.now() - killedAt;
        report.failoverMs.push(failover);
        if (next === null)
          report.violations.scheduling.push(`kill ${k}: no instance took over within 30 s`);
        else if (failover > FAILOVER_LIMIT_MS)
          report.violations.scheduling.push(
            `kill ${k}: the failover took ${(failover / 1000).toFixed(1)} s`,
          );
        line += `; instance ${next} schedules after ${(failover / 1000).toFixed(2)} s`;
      }
      const restart = await servers.restart(victim);
      report.restartMs.push(restart);
      if (!watch) report.outageMs.push(performance.now() - killedAt);
      if (watch && (await servers.scheduler(victim))?.schedulesHere)
        report.violations.scheduling.push(
          `kill ${k}: restarted instance ${victim} took the lead back`,
        );
      log(
        `${line}; restarted, serving after ${(restart / 1000).toFixed(2)} s; ${load.acknowledged.length} acknowledged`,
      );
    }
    report.kills = options.kills;

    // The last restart serves load too, then every client ends what it holds.
    await pause(2_000);
    const stopping = load.stop();
    const giveUp = setTimeout(() => (abort = true), 30_000);
    await stopping;
    clearTimeout(giveUp);
    const stoppedAt = Date.now();
    log(`load stopped: ${load.acknowledged.length} acknowledged, ${load.figures.cycles} cycles`);

    // A request can still be matched up to its deadline, and its job then runs a job timeout:
    // wait for all of that, then two sweeps, then for boards back from PREPARE.
    const lastDeadline =
      Math.max(stoppedAt, ...load.acknowledged.map((a) => a.deadline?.getTime() ?? 0)) +
      options.jobTimeoutSeconds * 1000;
    const graceMs = 2 * options.sweepSeconds * 1000 + 1000;
    await pause(Math.max(0, lastDeadline + graceMs - Date.now()));
    await waitFor(
      async () => findStuckWorkers(await listWorkers(servers.url(0))).length === 0,
      'no worker in PREPARE or BUSY',
      30_000,
    ).catch(() => undefined);

    const now = new Date();
    const requests = await listAllRequests(servers.url(0));
    const workers = await listWorkers(servers.url(0));
    const stored = await readDatabase(database, now);
    const overdueRequests = findOverdue(requests, stored.jobs, now, graceMs);
    report.acknowledged = load.acknowledged.length;
    report.cycles = load.figures.cycles;
    report.abandoned = load.figures.abandoned;
    report.waitingRequests = load.figures.waitingRequests;
    report.requestStates = countStates(requests);
    report.workerStates = countStates(workers);
    report.violations.lost = findLost(load.acknowledged, requests);
    report.violations.doubleAssigned = [
      ...findOverlappingJobs(stored.jobs),
      ...findDoubleStartsInAudit(stored.audit),
    ];
    report.violations.overdueWaiting = overdueRequests.waiting;
    report.violations.overdueInProgress = overdueRequests.inProgress;
    report.violations.stuckWorkers = findStuckWorkers(workers);
    report.violations.inconsistent = stored.inconsistencies;
    report.violations.serverErrors = api.serverErrors;
    report.violations.scheduling.push(...(watch?.violations ?? []));
    report.notes.push(
      ...workers.filter((w) => w.State === 'FAILED').map((w) => `worker ${w.WorkerUUID} is FAILED`),
      ...load.figures.surprises,
    );
    report.seconds = (performance.now() - began) / 1000;
    if (Object.values(report.violations).some((list) => list.length > 0)) keep = true;
    report.keptAt = keep ? (postgres ? `${dir.path} and ${postgres.url}` : dir.path) : null;
    return report;
  } catch (error) {
    keep = keep || !(error instanceof Error && error.name === 'MissingFeatureError');
    throw error;
  } finally {
    await fleet?.stop();
    await cluster?.stop();
    if (!keep) {
      await postgres?.drop();
      dir.remove();
    }
  }
}

/** The violations of a run that kept every promise: every list empty. */
export function noViolations(): ChaosReport['violations'] {
  return {
    lost: [],
    doubleAssigned: [],
    overdueWaiting: [],
    overdueInProgress: [],
    stuckWorkers: [],
    inconsistent: [],
    serverErrors: [],
    scheduling: [],
  };
}

function newReport(): ChaosReport {
  return {
    kills: 0,
    restartMs: [],
    outageMs: [],
    failoverMs: [],
    acknowledged: 0,
    cycles: 0,
    abandoned: 0,
    waitingRequests: 0,
    requestStates: {},
    workerStates: {},
    violations: noViolations(),
    notes: [],
    seconds: 0,
    keptAt: null,
  };
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
    `board=${CHAOS_BOARD}`,
    '--data-dir',
    dataDir,
    '--heartbeat-ms',
    '1000',
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

async function setAllIdle(serverUrl: string, boards: number): Promise<void> {
  for (const worker of await listWorkers(serverUrl)) {
    const set = await v1Json(serverUrl, 'POST', `/api/v1/workers/${worker.WorkerUUID}/setstate`, {
      WorkerState: 'IDLE',
    });
    if (set.status !== 204) throw new Error(`setstate IDLE: ${set.status} ${set.body}`);
  }
  await waitFor(
    async () => (await listWorkers(serverUrl)).filter((w) => w.State === 'IDLE').length === boards,
    `${boards} IDLE workers`,
    120_000,
  );
}
