import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../agent';
import { DeviceSerialEndpoint } from '../board/serial.endpoint';
import { SimulatedBoard } from '../fleet/simulated.board';
import { Logger } from '../log/logger';
import { SocatPty } from '../muxpi/socat.pty';
import { FakeLeshyServer } from '../testing/fake-leshy.server';
import { testConfig } from '../testing/test-config';
import { waitFor } from '../testing/wait-for';

// Real sockets, ptys and key generation: allow for a busy 2-core machine (waits are for events).
jest.setTimeout(15_000);

/** Failure reports reach a real HTTP server: once per fault episode, and recovery re-registers. */
describe('failure reports', () => {
  let dir: string;
  let server: FakeLeshyServer;
  let board: SimulatedBoard;
  let agent: Agent | null = null;
  let pty: SocatPty | null = null;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-health-'));
    writeFileSync(join(dir, 'sda'), '');
    server = new FakeLeshyServer();
    await server.start();
    board = new SimulatedBoard('board-h');
  });

  afterEach(async () => {
    await agent?.stop();
    agent = null;
    board.stop();
    await pty?.stop();
    pty = null;
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports STM silence once per episode and registers again when it answers', async () => {
    agent = new Agent({
      config: testConfig(dir, server.url, { stm: { probe_interval_ms: 100 } }),
      stmEndpoint: board.stmEndpoint,
      consoleEndpoint: board.consoleEndpoint,
      logger: Logger.silent(),
    });
    await agent.start();
    await agent.registration.whenRegistered();
    board.stm.faults.noReply = true;
    await waitFor(() => server.failures(agent!.uuid).length === 1, 'the failure report');
    expect(server.failures(agent.uuid)).toEqual([
      'STM not answering on sim://board-h/stm (timeout after 500 ms waiting for "power")',
    ]);
    // More probes fail in the same episode: nothing more is reported.
    const probesBefore = server.requests.length;
    await agent.health.probe();
    await agent.health.probe();
    expect(server.failures(agent.uuid)).toHaveLength(1);
    expect(server.requests.length).toBe(probesBefore);

    board.stm.faults.noReply = false;
    await waitFor(() => server.registrations.length === 2, 'registration after recovery', 5000);
    board.stm.faults.noReply = true;
    await waitFor(() => server.failures(agent!.uuid).length === 2, 'a second episode', 5000);
  });

  it('reports the DUT console disappearing (a real pty whose socat dies) and its return', async () => {
    const consolePath = join(dir, 'ttyS1');
    pty = new SocatPty(consolePath);
    await pty.start();
    agent = new Agent({
      config: testConfig(dir, server.url),
      stmEndpoint: board.stmEndpoint,
      consoleEndpoint: new DeviceSerialEndpoint(consolePath, 115200),
      logger: Logger.silent(),
    });
    await agent.start();
    await agent.registration.whenRegistered();
    expect(agent.console.present).toBe(true);
    await pty.stop();
    await waitFor(() => server.failures(agent!.uuid).length === 1, 'the failure report');
    expect(server.failures(agent.uuid)[0]).toMatch(
      new RegExp(
        `^DUT console ${consolePath} (closed \\(device disconnected\\)|disappeared \\(the device node is gone\\)|failed: .*)$`,
      ),
    );
    pty = new SocatPty(consolePath);
    await pty.start();
    await waitFor(() => agent!.console.present, 'the console to reopen');
    await waitFor(() => server.registrations.length === 2, 'registration after recovery');
    expect(server.failures(agent.uuid)).toHaveLength(1);
  });

  it('reports a console device that is missing at start', async () => {
    agent = new Agent({
      config: testConfig(dir, server.url),
      stmEndpoint: board.stmEndpoint,
      consoleEndpoint: new DeviceSerialEndpoint(join(dir, 'no-such-tty'), 115200),
      logger: Logger.silent(),
    });
    await agent.start();
    await waitFor(() => server.failures(agent!.uuid).length === 1, 'the failure report');
    expect(server.failures(agent.uuid)[0]).toBe(
      `DUT console ${join(dir, 'no-such-tty')} cannot be opened: ${join(dir, 'no-such-tty')} does not exist (is the device connected?)`,
    );
  });
});
