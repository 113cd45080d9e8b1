import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '../log/logger';
import { SocatPty } from '../muxpi/socat.pty';
import { StmClosedError, StmTimeoutError } from '../muxpi/stm.errors';
import { StmSimulator } from '../muxpi/stm.simulator';
import { DeviceSerialEndpoint } from './serial.endpoint';
import { StmConnection } from './stm.connection';

// Real ptys and socat processes: allow for a busy 2-core machine (waits are for events).
jest.setTimeout(15_000);

/** The STM device vanishing and coming back (a real pty whose socat is killed and restarted). */
describe('StmConnection', () => {
  let dir: string;
  let path: string;
  let pty: SocatPty;
  let connection: StmConnection;

  const startSimulatedStm = async () => {
    pty = new SocatPty(path);
    await pty.start();
    return new StmSimulator(pty.stream);
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stm-connection-'));
    path = join(dir, 'ttyS2');
    connection = new StmConnection(new DeviceSerialEndpoint(path, 115200), 300, Logger.silent());
  });

  afterEach(async () => {
    connection.close();
    await pty?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a missing device, and opens it (the echo off handshake) once it exists', async () => {
    await expect(connection.use((d) => d.power())).rejects.toThrow(
      `STM serial port ${path} is not open (${path} does not exist (is the device connected?))`,
    );
    const sim = await startSimulatedStm();
    const seen: string[] = [];
    sim.on('command', (line: string) => seen.push(line));
    expect(await connection.use((d) => d.power())).toBe('off');
    expect(seen).toEqual(['echo off', 'power']);
    expect(connection.responding).toBe(true);
    sim.stop();
  });

  it('notices the device node vanished after a failed command and reopens when it is back', async () => {
    const first = await startSimulatedStm();
    expect(await connection.use((d) => d.current())).toBe(0);
    await pty.stop(); // the link disappears; serialport may or may not report the hangup
    first.stop();
    const lost = await connection.use((d) => d.power()).catch((e: unknown) => e);
    expect(lost instanceof StmTimeoutError || lost instanceof StmClosedError).toBe(true);
    await expect(connection.use((d) => d.power())).rejects.toThrow(/does not exist/);

    const second = await startSimulatedStm();
    second.state.power = 'on';
    second.setCurrent(100);
    expect(await connection.use((d) => d.current())).toBe(100);
    second.stop();
  });
});
