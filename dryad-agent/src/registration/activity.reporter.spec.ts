import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { Agent } from '../agent';
import { SimulatedBoard } from '../fleet/simulated.board';
import { Logger } from '../log/logger';
import { FakeLeshyServer } from '../testing/fake-leshy.server';
import { execOn, sshConnect, sshExec, SshTarget } from '../testing/ssh-exec';
import { testConfig } from '../testing/test-config';
import { waitFor } from '../testing/wait-for';
import { ActivityReporter } from './activity.reporter';

jest.setTimeout(15_000);

describe('ActivityReporter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends at most one report per interval, and a coalesced one when the interval ends', () => {
    const report = jest.fn(() => Promise.resolve());
    const reporter = new ActivityReporter(report, 10_000, Logger.silent());
    for (let i = 0; i < 5; i++) reporter.touch();
    expect(report).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(9_999);
    expect(report).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    expect(report).toHaveBeenCalledTimes(2); // the four coalesced touches
    jest.advanceTimersByTime(60_000);
    expect(report).toHaveBeenCalledTimes(2); // nothing happened since
  });

  it('keeps reporting while a session is open, once per interval, and stops when it closes', () => {
    const report = jest.fn(() => Promise.resolve());
    const reporter = new ActivityReporter(report, 10_000, Logger.silent());
    const closeFirst = reporter.sessionOpened();
    const closeSecond = reporter.sessionOpened();
    expect(report).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(30_000);
    expect(report).toHaveBeenCalledTimes(4);
    closeFirst();
    closeFirst(); // closing twice counts once
    jest.advanceTimersByTime(10_000);
    expect(report).toHaveBeenCalledTimes(5); // the second session is still open
    closeSecond();
    jest.advanceTimersByTime(60_000);
    expect(report).toHaveBeenCalledTimes(5);
  });
});

/** The agent with a real SSH server and a real HTTP fake of the Leshy server. */
describe('agent: tester activity reports', () => {
  const INTERVAL = 400;
  let dir: string;
  let server: FakeLeshyServer;
  let board: SimulatedBoard;
  let agent: Agent;
  const jobKey = utils.generateKeyPairSync('rsa', { bits: 2048 });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-activity-'));
    server = new FakeLeshyServer();
    await server.start();
    board = new SimulatedBoard('board-1');
    writeFileSync(join(dir, 'sda'), '');
    agent = new Agent({
      config: testConfig(dir, server.url),
      stmEndpoint: board.stmEndpoint,
      consoleEndpoint: board.consoleEndpoint,
      logger: Logger.silent(),
      activityReportIntervalMs: INTERVAL,
    });
    await agent.start();
    await agent.registration.whenRegistered();
  });

  afterEach(async () => {
    await agent.stop();
    board.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a tester session and its commands, coalesced, and stops when it closes', async () => {
    const port = Number(agent.controlAddr.split(':')[1]);
    const control: SshTarget = { port, username: 'dryad', privateKey: server.keys.private };
    await sshExec(control, 'prepare', jobKey.public + '\n');
    expect(server.activityReports()).toHaveLength(0); // the server's own commands are not testers

    const client = await sshConnect({ port, username: 'boruta-user', privateKey: jobKey.private });
    try {
      await waitFor(() => server.activityReports(agent.uuid).length === 1, 'first report');
      for (let i = 0; i < 3; i++) expect(await execOn(client, 'power')).toMatchObject({ code: 0 });
      // The open session keeps reporting.
      await waitFor(() => server.activityReports(agent.uuid).length >= 3, 'reports while open');
    } finally {
      client.end();
    }
    const reports = server.activityReports(agent.uuid);
    expect(reports[0].path).toBe(`/api/v2/agents/${agent.uuid}/activity`);
    expect(reports[0].authorization).toBe('Bearer agent-token');
    // Coalesced: never two reports closer than the interval (timer slack aside).
    for (let i = 1; i < reports.length; i++)
      expect(reports[i].at - reports[i - 1].at).toBeGreaterThanOrEqual(INTERVAL - 50);
    await waitFor(() => agent.activity['openSessions'] === 0, 'session closed');
    const after = server.activityReports().length;
    await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL));
    expect(server.activityReports().length).toBeLessThanOrEqual(after + 1); // one deferred at most
  });
});
