import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, utils } from 'ssh2';
import { Agent } from '../agent';
import { SimulatedBoard } from '../fleet/simulated.board';
import { Logger } from '../log/logger';
import { FakeLeshyServer } from '../testing/fake-leshy.server';
import { ExecResult, sshConnect, sshExec, SshTarget } from '../testing/ssh-exec';
import { testConfig } from '../testing/test-config';
import { waitFor } from '../testing/wait-for';

// Real sockets and key generation: allow for a busy 2-core machine (waits are for events).
jest.setTimeout(20_000);

/**
 * The tester commands for what a real MuxPi offers beyond power and the card: the mux query,
 * USB routing, HDMI hot-plug, dypers, current sampling and long power cycles. Real ssh2
 * sessions against a real agent on an in-memory MuxPi.
 */
describe('tester board commands over SSH', () => {
  let dir: string;
  let server: FakeLeshyServer;
  let board: SimulatedBoard;
  let agent: Agent;
  let port: number;
  const jobKey = utils.generateKeyPairSync('ed25519');

  const tester = (): SshTarget => ({ port, username: 'boruta-user', privateKey: jobKey.private });
  const run = (command: string, stdin?: Buffer) => sshExec(tester(), command, stdin);
  const ok = (stdout = ''): ExecResult => ({ code: 0, stdout, stderr: '' });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tester-board-'));
    server = new FakeLeshyServer();
    await server.start();
    board = new SimulatedBoard('board-t');
    writeFileSync(join(dir, 'sda'), '');
    agent = new Agent({
      config: testConfig(dir, server.url),
      stmEndpoint: board.stmEndpoint,
      consoleEndpoint: board.consoleEndpoint,
      logger: process.env.AGENT_LOG ? new Logger('debug') : Logger.silent(),
      blinkPeriodMs: 40,
    });
    await agent.start();
    await agent.registration.whenRegistered();
    port = Number(agent.controlAddr.split(':')[1]);
    const control = { port, username: 'dryad', privateKey: server.keys.private };
    expect((await sshExec(control, 'prepare', jobKey.public + '\n')).code).toBe(0);
  });

  afterEach(async () => {
    await agent.stop();
    board.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mux asks the STM where the card is; mux dut|ts moves the card alone', async () => {
    expect(await run('mux')).toEqual(ok('ts\n'));
    expect(await run('dut')).toEqual(ok());
    expect(await run('mux')).toEqual(ok('dut\n'));
    expect(await run('mux ts')).toEqual(ok());
    expect(board.stm.state).toMatchObject({ mux: 'ts', power: 'on' });
    expect(await run('mux sideways')).toMatchObject({ code: 2, stderr: 'usage: mux [dut|ts]\n' });
  });

  it('flash refuses when the STM says the card is on the DUT side, whatever the agent did last', async () => {
    expect(await run('ts')).toEqual(ok());
    // Someone moved the card behind the agent's back (the STM's own buttons, a restart).
    board.stm.state.mux = 'dut';
    const image = Buffer.alloc(4096, 0x5a);
    const refused = await run('flash', image);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'flash: the SD card is on the DUT side: run "ts" first to switch it to the test server\n',
    );
    expect(readFileSync(join(dir, 'sda')).length).toBe(0);
    board.stm.state.mux = 'ts';
    expect((await run('flash', image)).code).toBe(0);
    expect(readFileSync(join(dir, 'sda')).equals(image)).toBe(true);
  });

  it('usb routes the DUT USB to this board or to its UART, and switches VBUS', async () => {
    expect(await run('usb')).toEqual(ok('ts\n'));
    expect(await run('usb uart')).toEqual(ok());
    expect(board.stm.state.lthor).toEqual({ switch: 'uart', id: 'uart', vbus: 'off' });
    expect(await run('usb')).toEqual(ok('uart\n'));
    expect(await run('usb vbus on')).toEqual(ok());
    expect(await run('usb ts')).toEqual(ok());
    expect(board.stm.state.lthor).toEqual({ switch: 'usb', id: 'usb', vbus: 'on' });
    expect(await run('usb host')).toMatchObject({
      code: 2,
      stderr: 'usage: usb [ts|uart|vbus on|off]\n',
    });
  });

  it('hdmi sets the hot-plug line and the dypers switch; a bare hdmi is refused, not sent', async () => {
    expect(await run('hdmi on')).toEqual(ok());
    expect(board.stm.state.hdmi).toBe('on');
    // The firmware takes a bare `hdmi` as off: the agent asks for a state instead.
    expect(await run('hdmi')).toMatchObject({ code: 2, stderr: 'usage: hdmi on|off\n' });
    expect(board.stm.state.hdmi).toBe('on');
    expect(await run('dyper 2 on')).toEqual(ok());
    expect(await run('dyper 1 off')).toEqual(ok());
    expect(board.stm.state.dypers).toEqual({ 1: 'off', 2: 'on' });
    expect(await run('dyper 3 on')).toMatchObject({ code: 2, stderr: 'usage: dyper 1|2 on|off\n' });
  });

  it('current --rate --duration streams timed samples while other commands still get through', async () => {
    expect(await run('power on')).toEqual(ok());
    board.stm.setCurrent(320);
    const client = await sshConnect(tester());
    try {
      const sampling = execCollect(client, 'current --rate 100 --duration 600ms');
      await waitFor(() => sampling.stdout().split('\n').length > 5, 'the first samples');
      board.stm.setCurrent(900); // the DUT draws more mid-profile
      // The STM is shared, not held: another command is answered during the sampling.
      expect(await run('power')).toEqual(ok('on\n'));
      const result = await sampling.done;
      expect(result.code).toBe(0);
      const samples = result.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ').map(Number));
      const summary = /^current: (\d+) samples in [\d.]+ s at 100 Hz \((\d+) missed\)\n$/.exec(
        result.stderr,
      );
      expect(summary).not.toBeNull();
      expect(Number(summary![1])).toBe(samples.length);
      expect(samples.length + Number(summary![2])).toBe(60);
      const times = samples.map(([t]) => t);
      expect(times[0]).toBeLessThan(50);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(times.at(-1)!).toBeLessThan(600);
      const readings = samples.map(([, ma]) => ma);
      expect(readings[0]).toBe(320);
      expect(readings.at(-1)).toBe(900);
    } finally {
      client.end();
    }
    expect(await run('current --rate 1000')).toMatchObject({
      code: 2,
      stderr: 'current: --rate must be a whole number of samples a second, 1..333\n',
    });
    expect(await run('current --duration forever')).toMatchObject({ code: 2 });
  });

  it('a long power tick is off, a timer in the agent, on: the STM answers meanwhile', async () => {
    expect(await run('power on')).toEqual(ok());
    const seen: string[] = [];
    board.stm.on('command', (line: string) => seen.push(line));
    const client = await sshConnect(tester());
    try {
      const tick = execCollect(client, 'power tick 2500');
      await waitFor(() => board.stm.state.power === 'off', 'the off-period');
      const started = Date.now();
      expect(await run('power')).toEqual(ok('off\n'));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await tick.done).toEqual(ok());
      expect(board.stm.state.power).toBe('on');
      expect(seen.filter((l) => l.startsWith('power '))).toEqual(['power off', 'power on']);
    } finally {
      client.end();
    }
    expect(await run('power tick 600001')).toMatchObject({ code: 2 });
  });

  it('a revoke during a long tick closes the session and the DUT stays off: no power on for a board in maintenance', async () => {
    expect(await run('power on')).toEqual(ok());
    const client = await sshConnect(tester());
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const tick = execCollect(client, 'power tick 2500');
    await waitFor(() => board.stm.state.power === 'off', 'the off-period');
    const control = { port, username: 'dryad', privateKey: server.keys.private };
    expect((await sshExec(control, 'maintenance PSU swap')).code).toBe(0);
    await closed;
    await tick.done.catch(() => undefined);
    const seen: string[] = [];
    board.stm.on('command', (line: string) => seen.push(line));
    // Longer than the tick: its power on would have come by now.
    await new Promise((r) => setTimeout(r, 3000));
    expect(board.stm.state.power).toBe('off');
    expect(seen).not.toContain('power on');
  });

  it('a command that sets the power ends a long tick early; it decides the power', async () => {
    const client = await sshConnect(tester());
    try {
      const tick = execCollect(client, 'power tick 60000');
      await waitFor(() => board.stm.state.power === 'off', 'the off-period');
      expect(await run('dut')).toEqual(ok());
      const result = await tick.done;
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        'power: power tick cut short: "dut" changed the power meanwhile\n',
      );
      expect(board.stm.state).toMatchObject({ power: 'on', mux: 'dut' });
    } finally {
      client.end();
    }
  });
});

/** Runs a command on an open connection and collects its output as it streams. */
function execCollect(
  client: Client,
  command: string,
): { stdout: () => string; done: Promise<ExecResult> } {
  let stdout = '';
  let stderr = '';
  const done = new Promise<ExecResult>((resolve, reject) =>
    client.exec(command, (error, channel) => {
      if (error) return reject(error);
      let code: number | null = null;
      channel.on('data', (d: Buffer) => (stdout += d.toString()));
      channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      channel.on('exit', (c: number | null) => (code = c));
      channel.on('close', () => resolve({ code, stdout, stderr }));
      channel.end();
    }),
  );
  return { stdout: () => stdout, done };
}
