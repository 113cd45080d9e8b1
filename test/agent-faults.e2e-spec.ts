import * as path from 'node:path';
import { AgentProcess, startAgentProcess } from './support/agent-process';
import { waitForWorkerState } from './support/fake-agent';
import { rawRequest, v1Json } from './support/http-client';
import { ServerProcess, startServer } from './support/server-process';
import { peekRow, peekRows } from './support/sqlite-peek';
import { stablePorts } from './support/stable-ports';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';
import { readDatabase } from './chaos/database-snapshot';

/**
 * What the server does when agents die or freeze, with real processes: a `dryad-agent fleet`
 * of two boards SIGKILLed mid-job and mid-prepare, and frozen (SIGSTOP) for longer than
 * LESHY_DRYAD_TIMEOUT. Each time: the workers FAILED with a reason saying what happened, their
 * jobs' requests FAILED, nothing left in PREPARE or BUSY; a restarted fleet brings them back.
 */
const TOKEN = 'agent-faults-e2e-token';
const BOARD = 'fault-board';
const DRYAD_TIMEOUT_MS = 3_000;

jest.setTimeout(120_000);

describe('agents that die or freeze', () => {
  const dir = tempDir('leshy-agent-faults-');
  const fleetDir = path.join(dir.path, 'fleet');
  let server: ServerProcess;
  let fleet: AgentProcess;
  let uuids: string[] = [];
  /** Each restart comes back on the same ports (else the server sees a changed registration). */
  let basePort: number;

  const database = () => path.join(server.dataDir, 'leshy.sqlite');
  const startFleet = async () => {
    fleet = startAgentProcess([
      'fleet',
      '--count',
      '2',
      '--server',
      server.baseUrl,
      '--token',
      TOKEN,
      '--caps',
      `board=${BOARD}`,
      '--base-port',
      String(basePort),
      '--heartbeat-ms',
      '500',
      '--data-dir',
      fleetDir,
    ]);
    await fleet.waitForOutput(/fleet: 2 boards registered/, 'the fleet to register', 30_000);
    uuids = [...fleet.output().matchAll(/^board (\d+) registered: uuid=(\S+)/gm)]
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .map((m) => m[2])
      .slice(-2);
  };
  const workerStates = async () =>
    Object.fromEntries(
      (
        JSON.parse((await v1Json(server.baseUrl, 'POST', '/api/v1/workers/list', {})).body) as {
          WorkerUUID: string;
          State: string;
        }[]
      ).map((w) => [w.WorkerUUID, w.State]),
    );
  const allIn = (state: string, timeoutMs = 20_000) =>
    Promise.all(uuids.map((uuid) => waitForWorkerState(server.baseUrl, uuid, state, timeoutMs)));
  const requestState = async (id: number) =>
    (await rawRequest(server.baseUrl, 'HEAD', `/api/v1/reqs/${id}`)).header('Boruta-Request-State');
  const waitForRequest = (id: number, state: string, timeoutMs = 20_000) =>
    waitFor(
      async () => (await requestState(id)) === state,
      `request ${id} to be ${state}`,
      timeoutMs,
    );
  /** Two requests, running on the two boards. */
  const runTwoJobs = async () => {
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const created = await v1Json(server.baseUrl, 'POST', '/api/v1/reqs/', {
        Priority: 8,
        Caps: { board: BOARD },
      });
      expect(created.status).toBe(201);
      ids.push((JSON.parse(created.body) as { ReqID: number }).ReqID);
    }
    await Promise.all(ids.map((id) => waitForRequest(id, 'IN PROGRESS')));
    await allIn('RUNNING');
    return ids;
  };
  const failReason = async (uuid: string) =>
    (
      await peekRow<{ fail_reason: string }>(
        database(),
        'SELECT fail_reason FROM workers WHERE uuid = ?',
        [uuid],
      )
    )?.fail_reason;
  /** Why the request FAILED, from its audit row. */
  const requestFailure = async (id: number) =>
    (
      await peekRow<{ reason: string }>(
        database(),
        `SELECT reason FROM audit_events WHERE aggregate = 'request' AND aggregate_id = ? AND type = 'request.state-changed' AND "after" LIKE '%"FAILED"%'`,
        [String(id)],
      )
    )?.reason;
  /** The worker's states since its latest FAILED, from the audit. */
  const statesSinceLastFailure = async (uuid: string) => {
    const rows = await peekRows<{ after: string }>(
      database(),
      `SELECT "after" FROM audit_events WHERE aggregate_id = ? AND type = 'worker.state-changed' ORDER BY id`,
      [uuid],
    );
    const states = rows.map((row) => (JSON.parse(row.after) as { state: string }).state);
    return states.slice(states.lastIndexOf('FAILED'));
  };
  const restartFleetAndExpectIdle = async () => {
    await startFleet();
    await allIn('IDLE', 30_000).catch((error: Error) => {
      // What the server did with the boards meanwhile is the only way to tell why, in CI too.
      throw new Error(`${error.message}\n--- server output ---\n${server.logs().slice(-20_000)}`);
    });
    for (const uuid of uuids)
      expect(await statesSinceLastFailure(uuid)).toEqual(['FAILED', 'PREPARE', 'IDLE']);
  };

  /** SIGCONT, if the process is still there (a stopped process cannot even die of SIGTERM). */
  const resume = (agent: AgentProcess | undefined) => {
    try {
      if (agent) process.kill(agent.pid, 'SIGCONT');
    } catch {
      // gone already
    }
  };

  beforeAll(async () => {
    basePort = await stablePorts(2);
    server = await startServer({
      dataDir: path.join(dir.path, 'server'),
      env: {
        LESHY_AGENT_TOKEN: TOKEN,
        LESHY_DRYAD_TIMEOUT: `${DRYAD_TIMEOUT_MS / 1000}s`,
        LESHY_HEALTHCHECK_INTERVAL: '1s',
        LESHY_SWEEP_INTERVAL: '1s',
        // setstate IDLE over API v1 without a token.
        LESHY_V1_ANONYMOUS_ROLE: 'admin',
      },
    });
    await startFleet();
    for (const uuid of uuids) {
      const set = await v1Json(server.baseUrl, 'POST', `/api/v1/workers/${uuid}/setstate`, {
        WorkerState: 'IDLE',
      });
      expect(set.status).toBe(204);
    }
    await allIn('IDLE');
  });
  afterAll(async () => {
    resume(fleet);
    await fleet?.stop();
    await server?.stop();
    dir.remove();
  });
  afterEach(async () => {
    // Whatever happened, the database stayed consistent (states, jobs, audit trail).
    expect(
      (await readDatabase({ kind: 'sqlite', file: database() }, new Date())).inconsistencies,
    ).toEqual([]);
  });

  it('a fleet killed mid-job: both workers FAILED as unreachable, their requests FAILED; a restart brings them back', async () => {
    const ids = await runTwoJobs();
    await fleet.stop('SIGKILL');
    await allIn('FAILED');
    for (const uuid of uuids)
      expect(await failReason(uuid)).toMatch(
        /^agent unreachable: SSH connection to the agent at 127\.0\.0\.1:\d+ was lost; reconnecting failed: cannot reach the agent at 127\.0\.0\.1:\d+: (connect|read) ECONN(REFUSED|RESET)/,
      );
    for (const id of ids) {
      expect(await requestState(id)).toBe('FAILED');
      expect(await requestFailure(id)).toMatch(
        /^worker failed: agent unreachable: SSH connection .* was lost/,
      );
    }
    expect(Object.values(await workerStates())).toEqual(['FAILED', 'FAILED']);
    await restartFleetAndExpectIdle();
  });

  it('a fleet killed mid-prepare: both workers FAILED with the prepare that broke off; a restart brings them back', async () => {
    const ids = await runTwoJobs();
    // Frozen, the agents cannot answer the prepare the close starts; killed, their sockets close.
    process.kill(fleet.pid, 'SIGSTOP');
    for (const id of ids)
      expect((await v1Json(server.baseUrl, 'POST', `/api/v1/reqs/${id}/close`)).status).toBe(204);
    await allIn('PREPARE', DRYAD_TIMEOUT_MS / 2);
    await fleet.stop('SIGKILL');
    await allIn('FAILED');
    // The prepare's own error, or the watcher's (the kept connection dropped): both say it.
    for (const uuid of uuids)
      expect(await failReason(uuid)).toMatch(
        /^(prepare failed|agent unreachable: SSH connection to the agent at \S+ was lost; reconnecting failed): cannot reach the agent at 127\.0\.0\.1:\d+: (connect|read) ECONN(REFUSED|RESET)/,
      );
    for (const id of ids) expect(await requestState(id)).toBe('DONE');
    await restartFleetAndExpectIdle();
  });

  it('an agent frozen longer than LESHY_DRYAD_TIMEOUT: both workers FAILED with the time-out, the job FAILED, the API answering all along', async () => {
    const created = await v1Json(server.baseUrl, 'POST', '/api/v1/reqs/', {
      Priority: 8,
      Caps: { board: BOARD },
    });
    const id = (JSON.parse(created.body) as { ReqID: number }).ReqID;
    await waitForRequest(id, 'IN PROGRESS');
    const states = await workerStates();
    const running = uuids.find((uuid) => states[uuid] === 'RUNNING')!;
    const idle = uuids.find((uuid) => states[uuid] === 'IDLE')!;

    // An API v1 client keeps asking while the server waits on the frozen agent.
    const latencies: number[] = [];
    let asking = true;
    const client = (async () => {
      while (asking) {
        const began = performance.now();
        const answer = await v1Json(server.baseUrl, 'POST', '/api/v1/workers/list', {});
        latencies.push(performance.now() - began);
        expect(answer.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    process.kill(fleet.pid, 'SIGSTOP');
    const frozenAt = performance.now();
    await allIn('FAILED', 60_000);
    const stalled = performance.now() - frozenAt;
    asking = false;
    await client;
    expect(stalled).toBeGreaterThan(DRYAD_TIMEOUT_MS);
    expect(latencies.length).toBeGreaterThan(10);
    expect(Math.max(...latencies)).toBeLessThan(1_000);

    // The IDLE one at its next health check; the RUNNING one once SSH keepalives go unanswered
    // (about 15 s) and the reconnection's status times out.
    expect(await failReason(idle)).toBe(
      `health check failed: healthcheck timed out after ${DRYAD_TIMEOUT_MS} ms`,
    );
    const unreachable = new RegExp(
      `^agent unreachable: SSH connection to the agent at 127\\.0\\.0\\.1:\\d+ was lost; reconnecting failed: status timed out after ${DRYAD_TIMEOUT_MS} ms$`,
    );
    expect(await failReason(running)).toMatch(unreachable);
    expect(await requestState(id)).toBe('FAILED');
    expect(await requestFailure(id)).toBe(`worker failed: ${await failReason(running)}`);
    expect(Object.values(await workerStates())).toEqual(['FAILED', 'FAILED']);

    // These boards failed in each case above: three failures within the hour make a board
    // "flapping", which the server leaves FAILED for an admin instead of retrying. A restart of
    // the fleet (a new registration) brings them back.
    resume(fleet);
    await fleet.stop();
    await restartFleetAndExpectIdle();
  });
});
