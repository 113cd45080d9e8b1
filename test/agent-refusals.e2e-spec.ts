import { readableLog } from './support/log-lines';
import * as path from 'node:path';
import { AgentProcess, startAgentProcess } from './support/agent-process';
import { waitForWorkerState } from './support/fake-agent';
import { rawRequest, v1Json } from './support/http-client';
import { ServerProcess, startServer } from './support/server-process';
import { peekRows } from './support/sqlite-peek';
import { tempDir } from './support/temp-dir';

/**
 * What a new lab meets first, with real processes: a fleet started with the wrong token (or
 * against a server with none), a board deregistered while its agent runs, a fleet restarted.
 */
const TOKEN = 'agent-refusals-e2e-token';
/** Admitting a deregistered board is an admin call on API v2: it needs a token. */
const ADMIN_TOKEN = 'agent-refusals-e2e-admin-token-0123456789';

const fleetArgs = (server: ServerProcess, token: string, dataDir: string, count = 1) => [
  'fleet',
  '--count',
  String(count),
  '--server',
  server.baseUrl,
  '--token',
  token,
  '--heartbeat-ms',
  '200',
  '--data-dir',
  dataDir,
];

/** Lines of the agent's output matching `pattern`. */
const linesOf = (agent: AgentProcess, pattern: RegExp) =>
  agent
    .output()
    .split('\n')
    .filter((line) => pattern.test(line));

/** Long enough for a retry loop without pause to log hundreds of lines. */
const quietPeriod = () => new Promise((resolve) => setTimeout(resolve, 1500));

describe('an agent refused by the server', () => {
  const dir = tempDir('leshy-refusals-');
  const fleets: AgentProcess[] = [];
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    await Promise.all(fleets.map((f) => f.stop()));
    await Promise.all(servers.map((s) => s.stop()));
    dir.remove();
  });
  const fleet = (args: string[]) => {
    const started = startAgentProcess(args);
    fleets.push(started);
    return started;
  };

  it('retries a wrong token every 60 s, with the server reason, and says when no token is set', async () => {
    const withToken = await startServer({ env: { LESHY_AGENT_TOKEN: TOKEN } });
    const withoutToken = await startServer();
    servers.push(withToken, withoutToken);
    const wrong = fleet(fleetArgs(withToken, 'wrong', path.join(dir.path, 'wrong')));
    const none = fleet(fleetArgs(withoutToken, TOKEN, path.join(dir.path, 'none')));
    await wrong.waitForOutput(/registration failed/, 'the refused registration');
    await none.waitForOutput(/registration failed/, 'the refused registration');
    await quietPeriod();
    expect(linesOf(wrong, /registration failed/)).toEqual([
      expect.stringMatching(
        /registration failed: the server refused the agent token \(HTTP 401\): wrong agent token: server\.token in the agent's config must be this board's agent token or the server's LESHY_AGENT_TOKEN; retrying in 60\.0 s$/,
      ),
    ]);
    expect(linesOf(none, /registration failed/)).toEqual([
      expect.stringMatching(
        /registration failed: the server refused the agent token \(HTTP 401\): the server has no LESHY_AGENT_TOKEN set and this is not an agent token it issued: server\.token in the agent's config must be this board's agent token; retrying in 60\.0 s$/,
      ),
    ]);
  });
});

describe('a fleet whose boards are deregistered and restarted', () => {
  const dir = tempDir('leshy-fleet-restart-');
  const dataDir = path.join(dir.path, 'fleet');
  let server: ServerProcess;
  let fleet: AgentProcess | null = null;
  afterAll(async () => {
    await fleet?.stop();
    await server?.stop();
    dir.remove();
  });

  /** uuid and ssh address of each board, from the fleet's "board N registered" lines. */
  const boardsOf = (agent: AgentProcess) =>
    [...agent.output().matchAll(/^board (\d+) registered: uuid=(\S+) ssh=(\S+) state=(\S+)$/gm)]
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .map((m) => ({ uuid: m[2], ssh: m[3], state: m[4] }));
  const startFleet = async () => {
    fleet = startAgentProcess(fleetArgs(server, TOKEN, dataDir, 2));
    await fleet.waitForOutput(/fleet: 2 boards registered/, 'the fleet to register');
    return boardsOf(fleet);
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

  it('keeps a deregistered board out while its agent runs, and takes a restarted fleet back as it was', async () => {
    server = await startServer({
      env: {
        LESHY_AGENT_TOKEN: TOKEN,
        LESHY_HEALTHCHECK_INTERVAL: '1h',
        LESHY_V1_ANONYMOUS_ROLE: 'admin',
        LESHY_ADMIN_TOKEN: ADMIN_TOKEN,
      },
    });
    const [kept, removed] = await startFleet();
    const idle = await v1Json(server.baseUrl, 'POST', `/api/v1/workers/${kept.uuid}/setstate`, {
      WorkerState: 'IDLE',
    });
    expect(idle.status).toBe(204);
    await waitForWorkerState(server.baseUrl, kept.uuid, 'IDLE');

    // The server holds an SSH connection to the board it is about to deregister.
    for (const state of ['IDLE', 'MAINTENANCE']) {
      const set = await v1Json(server.baseUrl, 'POST', `/api/v1/workers/${removed.uuid}/setstate`, {
        WorkerState: state,
      });
      expect(set.status).toBe(204);
      await waitForWorkerState(server.baseUrl, removed.uuid, state);
    }
    const logsBefore = server.logs().length;
    const deregistered = await rawRequest(
      server.baseUrl,
      'POST',
      `/api/v1/workers/${removed.uuid}/deregister`,
    );
    expect(deregistered.status).toBe(204);
    await fleet!.waitForOutput(/registration refused/, 'the agent to be told');
    await quietPeriod(); // several heartbeat periods of 200 ms
    const refused = linesOf(fleet!, /registration refused/);
    expect(refused).toEqual([
      expect.stringMatching(
        new RegExp(
          `ERROR \\[${removed.uuid}\\] registration: registration refused: the server refuses this board \\(HTTP 410\\): worker ${removed.uuid} was deregistered by an admin .*POST /api/v2/workers/${removed.uuid}/admit; asking the server again every 600\\.0 s`,
        ),
      ),
    ]);
    expect(await workerStates()).toEqual({ [kept.uuid]: 'IDLE' });
    // Closing the kept connection is not mistaken for a lost agent, on either side.
    const serverComplaints = readableLog(server.logs().slice(logsBefore))
      .split('\n')
      .filter((line) => /WARN|ERROR/.test(line));
    expect(serverComplaints).toEqual([]);
    expect(linesOf(fleet!, new RegExp(`(WARN|ERROR) +\\[${removed.uuid}\\]`))).toEqual([
      expect.stringMatching(
        /WARN .*does not take this agent's heartbeats .*HTTP 404.*registering again/,
      ),
      refused[0],
    ]);

    // The admin admits it; a restart makes the agent register at once. The kept board comes
    // back on its port: an agent restart (FAILED → PREPARE → IDLE), not new addresses (BUSY).
    const admitted = await rawRequest(
      server.baseUrl,
      'POST',
      `/api/v2/workers/${removed.uuid}/admit`,
      { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } },
    );
    expect(admitted.status).toBe(200);
    await fleet!.stop();
    const again = await startFleet();
    expect(again.map((b) => [b.uuid, b.ssh])).toEqual([
      [kept.uuid, kept.ssh],
      [removed.uuid, removed.ssh],
    ]);
    await waitForWorkerState(server.baseUrl, kept.uuid, 'IDLE');
    expect(await workerStates()).toEqual({ [kept.uuid]: 'IDLE', [removed.uuid]: 'MAINTENANCE' });
    const keptStates = await peekRows<{ after: string }>(
      path.join(server.dataDir, 'leshy.sqlite'),
      `SELECT "after" FROM audit_events WHERE aggregate_id = ? AND type = 'worker.state-changed'`,
      [kept.uuid],
    );
    const states = keptStates.map((row) => (JSON.parse(row.after) as { state: string }).state);
    expect(states).toEqual(['PREPARE', 'IDLE', 'FAILED', 'PREPARE', 'IDLE']);
    const registrations = await peekRows<{ reason: string }>(
      path.join(server.dataDir, 'leshy.sqlite'),
      `SELECT reason FROM audit_events WHERE aggregate_id = ? AND type = 'worker.registered' ORDER BY id`,
      [removed.uuid],
    );
    expect(registrations.map((r) => r.reason)).toEqual([
      'first registration',
      expect.stringMatching(
        /^registered again: anonymous had deregistered it .* user:admin admitted it again/,
      ),
    ]);
  });
});
