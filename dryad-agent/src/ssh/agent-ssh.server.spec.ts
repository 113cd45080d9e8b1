import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, SFTPWrapper, utils } from 'ssh2';
import { Agent } from '../agent';
import { SimulatedBoard } from '../fleet/simulated.board';
import { Logger } from '../log/logger';
import type { AgentStatus } from '../protocol';
import { FakeLeshyServer } from '../testing/fake-leshy.server';
import { execOn, sshConnect, sshExec, SshTarget } from '../testing/ssh-exec';
import { testConfig } from '../testing/test-config';
import { waitFor } from '../testing/wait-for';
import { generateEd25519KeyPair, keyFingerprint } from '../ssh-keys';

// Real sockets, ptys and key generation: allow for a busy 2-core machine (waits are for events).
jest.setTimeout(15_000);

/** The agent's SSH server with real ssh2 clients on 127.0.0.1 and an in-memory MuxPi. */
describe('agent SSH server', () => {
  let dir: string;
  let server: FakeLeshyServer;
  let board: SimulatedBoard;
  let agent: Agent;
  let port: number;
  const jobKey = utils.generateKeyPairSync('rsa', { bits: 2048 }); // API v1 job keys are RSA
  const otherKey = generateEd25519KeyPair();

  const control = (): SshTarget => ({ port, username: 'dryad', privateKey: server.keys.private });
  const tester = (key = jobKey): SshTarget => ({
    port,
    username: 'boruta-user',
    privateKey: key.private,
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-ssh-'));
    server = new FakeLeshyServer();
    await server.start();
    board = new SimulatedBoard('board-1');
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
  });

  afterEach(async () => {
    await agent.stop();
    board.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function prepare(key = jobKey.public): Promise<void> {
    const result = await sshExec(control(), 'prepare', key + '\n');
    expect(result).toEqual({ code: 0, stdout: '{"username":"boruta-user"}\n', stderr: '' });
  }

  it('registers the advertised addresses and host key', () => {
    const registered = server.agents.get(agent.uuid);
    expect(registered).toMatchObject({
      uuid: agent.uuid,
      caps: { board: 'sim', UUID: agent.uuid },
      controlAddr: `127.0.0.1:${port}`,
      sshAddr: `127.0.0.1:${port}`,
      accessMode: 'embedded',
      agentVersion: '0.1.0',
    });
    expect(registered?.hostKey).toMatch(/^ssh-ed25519 AAAA/);
  });

  it('runs control commands only with the server key', async () => {
    const status = await sshExec(control(), 'status');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout) as AgentStatus).toEqual({
      uuid: agent.uuid,
      accessMode: 'embedded',
      maintenance: { active: false, message: '' },
      job: { active: false, username: null, keys: 0 },
      stm: { responding: true, power: 'off', mux: 'ts' },
      console: { present: true, path: 'sim://board-1/console' },
    });
    await expect(sshExec({ ...control(), privateKey: otherKey.private }, 'status')).rejects.toThrow(
      /authentication/i,
    );
    await prepare();
    await expect(sshExec({ ...control(), privateKey: jobKey.private }, 'status')).rejects.toThrow(
      /authentication/i,
    );
    // The server key is not a tester key either.
    await expect(
      sshExec({ ...tester(), privateKey: server.keys.private }, 'current'),
    ).rejects.toThrow(/authentication/i);
    await expect(sshExec({ ...tester(), username: 'root' }, 'current')).rejects.toThrow(
      /authentication/i,
    );
  });

  it('answers unknown commands with exit 127 and the list of commands', async () => {
    const result = await sshExec(control(), 'reboot now');
    expect(result.code).toBe(127);
    expect(result.stderr).toMatch(/unknown control command "reboot"/);
    expect(result.stderr).toMatch(
      /prepare.*\n.*authorize.*\n.*maintenance.*\n.*healthcheck.*\n.*status/s,
    );
    const bad = await sshExec(control(), 'prepare', 'not a key\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/prepare: line 1: not an OpenSSH public key line/);
  });

  it('refuses testers before any prepare', async () => {
    await expect(sshExec(tester(), 'current')).rejects.toThrow(/authentication/i);
  });

  it('gives the job key power, current and the DUT console', async () => {
    await prepare();
    expect(await sshExec(tester(), 'power on')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await sshExec(tester(), 'power')).toMatchObject({ code: 0, stdout: 'on\n' });
    board.stm.setCurrent(480);
    expect(await sshExec(tester(), 'current')).toMatchObject({ code: 0, stdout: '480\n' });

    const client = await sshConnect(tester());
    try {
      const output = await new Promise<{ text: () => string; write: (s: string) => void }>(
        (resolve, reject) =>
          client.exec('console', (error, channel) => {
            if (error) return reject(error);
            let text = '';
            channel.on('data', (d: Buffer) => (text += d.toString('latin1')));
            resolve({ text: () => text, write: (s) => channel.write(s) });
          }),
      );
      expect(await execOn(client, 'power tick 30')).toMatchObject({ code: 0 });
      await waitFor(
        () => output.text().includes('login: root') && output.text().endsWith('# '),
        'boot log and prompt',
      );
      expect(output.text()).toContain('Booting Linux');
      output.write('uname -a\r');
      await waitFor(() => output.text().includes('Linux board-1 6.1.0-sim'), 'uname output');
      output.write('frob\r');
      await waitFor(() => output.text().includes('sh: frob: not found'), 'not found');
    } finally {
      client.end();
    }
    expect(await sshExec(tester(), 'power sideways')).toMatchObject({
      code: 2,
      stderr: 'usage: power [on|off|tick [MS]]\n',
    });
    const unknown = await sshExec(tester(), 'reboot');
    expect(unknown.code).toBe(127);
    expect(unknown.stderr).toContain('console');
  });

  describe('console in a script (input ends)', () => {
    /** `echo INPUT | ssh … console ARGS`: stdin ends right after the input. */
    const scripted = async (args: string, input: string, whileOpen?: () => Promise<void>) => {
      const client = await sshConnect(tester());
      try {
        return await new Promise<{ code: number | null; stdout: string; stderr: string }>(
          (resolve, reject) =>
            client.exec(`console${args}`, (error, channel) => {
              if (error) return reject(error);
              let stdout = '';
              let stderr = '';
              let code: number | null = null;
              channel.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
              channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
              channel.on('exit', (c: number | null) => (code = c));
              channel.on('close', () => resolve({ code, stdout, stderr }));
              channel.end(input);
              void whileOpen?.();
            }),
        );
      } finally {
        client.end();
      }
    };

    beforeEach(async () => {
      await prepare();
      expect(await sshExec(tester(), 'power on')).toMatchObject({ code: 0 });
      // The DUT has booted to its prompt before the script starts.
      await waitFor(async () => {
        const r = await sshExec(tester(), 'console --linger 50ms', '\r');
        return r.stdout.includes('# ');
      }, 'the DUT prompt');
    });

    it('relays what the input caused, then exits 0 once the console is quiet', async () => {
      const result = await scripted('', 'uname -a\r');
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toContain('Linux board-1 6.1.0-sim');
    });

    it('keeps relaying while output still flows after the input ended (--linger)', async () => {
      // The input ends at once; the DUT's boot log starts 700 ms later: past the default
      // linger of 500 ms, within the 1.5 s asked for.
      board.dut.setPower('off');
      const result = await scripted(' --linger 1500ms', '', async () => {
        await new Promise((resolve) => setTimeout(resolve, 700));
        board.dut.setPower('on');
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Booting Linux');
      expect(result.stdout).toContain('login: root');
    });

    it("ends `echo 'uname -a' | ssh … console` with OpenSSH's own client", async () => {
      const keyFile = join(dir, 'job_key');
      writeFileSync(keyFile, jobKey.private, { mode: 0o600 });
      const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const ssh = spawn('ssh', [
          ...['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null'],
          ...['-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes', '-i', keyFile, '-p', String(port)],
          'boruta-user@127.0.0.1',
          'console',
        ]);
        let stdout = '';
        ssh.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
        ssh.on('close', (code) => resolve({ code, stdout }));
        ssh.stdin.end('uname -a\r');
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Linux board-1 6.1.0-sim');
    });

    it('refuses a linger it cannot read', async () => {
      expect(await sshExec(tester(), 'console --linger soon')).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'usage: console [--linger DURATION]  (DURATION like 500ms, 2s or 0; at most 600s)\n',
      });
    });
  });

  it('refuses a shell with a message', async () => {
    await prepare();
    const client = await sshConnect(tester());
    try {
      const result = await new Promise<{ code: number; stderr: string }>((resolve, reject) =>
        client.shell((error, channel) => {
          if (error) return reject(error);
          let stderr = '';
          let code = -1;
          channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          channel.on('exit', (c: number) => (code = c));
          channel.on('close', () => resolve({ code, stderr }));
          channel.resume(); // an unread stdout would hold back 'close'
        }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/no shell on this board \(embedded access mode\)/);
    } finally {
      client.end();
    }
  });

  describe('SFTP', () => {
    let client: Client;
    let sftp: SFTPWrapper;
    const call = <T>(
      fn: (cb: (err: Error | null | undefined, value?: T) => void) => void,
    ): Promise<T> =>
      new Promise((resolve, reject) =>
        fn((err, value) => (err ? reject(err) : resolve(value as T))),
      );

    beforeEach(async () => {
      await prepare();
      client = await sshConnect(tester());
      sftp = await call<SFTPWrapper>((cb) => client.sftp(cb));
    });
    afterEach(() => client.end());

    it('uploads, lists, downloads, renames and removes inside the workspace', async () => {
      const local = join(dir, 'upload.bin');
      const payload = Buffer.alloc(300_000, 7);
      writeFileSync(local, payload);
      await call((cb) => sftp.fastPut(local, '/image.bin', cb));
      expect(readFileSync(join(dir, 'data', 'workspace', 'image.bin')).equals(payload)).toBe(true);
      await call((cb) => sftp.mkdir('logs', cb));
      await call((cb) => sftp.writeFile('logs/run.txt', 'hello', cb));
      const names = (await call<{ filename: string }[]>((cb) => sftp.readdir('/', cb)))
        .map((e) => e.filename)
        .sort();
      expect(names).toEqual(['image.bin', 'logs']);
      await call((cb) => sftp.rename('/logs/run.txt', '/logs/old.txt', cb));
      expect((await call<Buffer>((cb) => sftp.readFile('/logs/old.txt', cb))).toString()).toBe(
        'hello',
      );
      const back = join(dir, 'download.bin');
      await call((cb) => sftp.fastGet('/image.bin', back, cb));
      expect(readFileSync(back).equals(payload)).toBe(true);
      expect(await call<string>((cb) => sftp.realpath('.', cb))).toBe('/');
      expect((await call<{ size: number }>((cb) => sftp.stat('/image.bin', cb))).size).toBe(
        300_000,
      );
      await call((cb) => sftp.unlink('/logs/old.txt', cb));
      await call((cb) => sftp.rmdir('/logs', cb));
      await call((cb) => sftp.unlink('/image.bin', cb));
      expect(await call<unknown[]>((cb) => sftp.readdir('/', cb))).toEqual([]);
    });

    it('cannot escape the workspace through .. or symlinks', async () => {
      writeFileSync(join(dir, 'secret.txt'), 'top secret');
      await expect(call((cb) => sftp.readFile('../secret.txt', cb))).rejects.toThrow(
        /No such file/,
      );
      await expect(
        call((cb) => sftp.readFile('/../../../../' + join(dir, 'secret.txt'), cb)),
      ).rejects.toThrow(/No such file/);
      expect(await call<string>((cb) => sftp.realpath('../..', cb))).toBe('/');
      await call((cb) => sftp.writeFile('../../escaped.txt', 'x', cb));
      expect(existsSync(join(dir, 'escaped.txt'))).toBe(false);
      expect(existsSync(join(dir, 'data', 'workspace', 'escaped.txt'))).toBe(true);

      // A link planted inside the workspace (not by SFTP, which cannot make links) leads nowhere.
      symlinkSync(dir, join(dir, 'data', 'workspace', 'out'));
      symlinkSync(join(dir, 'secret.txt'), join(dir, 'data', 'workspace', 'secret-link'));
      await expect(call((cb) => sftp.readFile('/out/secret.txt', cb))).rejects.toThrow(
        /Permission denied|outside/,
      );
      await expect(call((cb) => sftp.readFile('/secret-link', cb))).rejects.toThrow(
        /Permission denied|outside/,
      );
      await expect(call((cb) => sftp.writeFile('/secret-link', 'overwrite', cb))).rejects.toThrow(
        /Permission denied|outside/,
      );
      await expect(call((cb) => sftp.readdir('/out', cb))).rejects.toThrow(
        /Permission denied|outside/,
      );
      await expect(call((cb) => sftp.writeFile('/out/new.txt', 'x', cb))).rejects.toThrow(
        /Permission denied|outside/,
      );
      await expect(call((cb) => sftp.rename('/escaped.txt', '/out/moved.txt', cb))).rejects.toThrow(
        /Permission denied|outside/,
      );
      await expect(call((cb) => sftp.symlink('/etc/passwd', '/pw', cb))).rejects.toThrow(
        /not supported/,
      );
      expect(readFileSync(join(dir, 'secret.txt'), 'utf8')).toBe('top secret');
      expect(existsSync(join(dir, 'new.txt'))).toBe(false);
    });
  });

  // Testers use OpenSSH, whose scp speaks SFTP and insists on an exit status. The OpenSSH
  // client is part of what the suite needs (like socat): a missing one fails with a message.
  it('works with OpenSSH scp both ways', async () => {
    try {
      execFileSync('ssh', ['-V'], { stdio: 'ignore' }); // scp has no version flag; it comes with ssh
    } catch {
      throw new Error(
        'the OpenSSH client (ssh, scp) is needed for this test: apt-get install openssh-client',
      );
    }
    await prepare();
    const keyFile = join(dir, 'job_key');
    writeFileSync(keyFile, jobKey.private, { mode: 0o600 });
    writeFileSync(join(dir, 'local.txt'), 'from the tester\n');
    const scp = (...args: string[]) =>
      new Promise<{ code: number; stderr: string }>((resolve) =>
        execFile(
          'scp',
          [
            '-o',
            'StrictHostKeyChecking=no',
            '-o',
            'UserKnownHostsFile=/dev/null',
            '-o',
            'LogLevel=ERROR',
            '-o',
            'BatchMode=yes',
            '-i',
            keyFile,
            '-P',
            String(port),
            ...args,
          ],
          { timeout: 10_000 },
          (error, _stdout, stderr) =>
            resolve({ code: error ? ((error.code as number) ?? 1) : 0, stderr }),
        ),
      );
    expect(await scp(join(dir, 'local.txt'), 'boruta-user@127.0.0.1:/up.txt')).toEqual({
      code: 0,
      stderr: '',
    });
    expect(readFileSync(join(dir, 'data', 'workspace', 'up.txt'), 'utf8')).toBe(
      'from the tester\n',
    );
    expect(await scp('boruta-user@127.0.0.1:up.txt', join(dir, 'down.txt'))).toEqual({
      code: 0,
      stderr: '',
    });
    expect(readFileSync(join(dir, 'down.txt'), 'utf8')).toBe('from the tester\n');
    const escape = await scp('boruta-user@127.0.0.1:../../../../etc/hostname', join(dir, 'h.txt'));
    expect(escape.code).not.toBe(0);
    expect(existsSync(join(dir, 'h.txt'))).toBe(false);
  });

  it('a new prepare refuses the old key, closes its sessions and empties the workspace', async () => {
    await prepare();
    const old = await sshConnect(tester());
    const closed = new Promise<void>((resolve) => old.once('close', () => resolve()));
    expect(await execOn(old, 'current')).toMatchObject({ code: 0 });
    writeFileSync(join(dir, 'data', 'workspace', 'left-over'), 'x');
    await prepare(otherKey.public);
    await closed;
    await expect(sshExec(tester(), 'current')).rejects.toThrow(/authentication/i);
    expect(await sshExec(tester(otherKey), 'current')).toMatchObject({ code: 0 });
    expect(existsSync(join(dir, 'data', 'workspace', 'left-over'))).toBe(false);

    // authorize adds a tester's own key to the running job.
    const result = await sshExec(control(), 'authorize', jobKey.public);
    expect(result.code).toBe(0);
    expect(await sshExec(tester(jobKey), 'current')).toMatchObject({ code: 0 });
  });

  it('authorize for a named job admits the key only while that job runs', async () => {
    const own = generateEd25519KeyPair('tester@laptop');
    await prepare();
    const thisJob = keyFingerprint(jobKey.public);
    expect(await sshExec(control(), `authorize ${thisJob}`, own.public)).toMatchObject({ code: 0 });
    expect(await sshExec(tester(own), 'current')).toMatchObject({ code: 0 });
    // Asking again is harmless.
    expect(await sshExec(control(), `authorize ${thisJob}`, own.public)).toMatchObject({ code: 0 });

    // The board is prepared for the next job: the key is gone, and a late authorize for the
    // finished job does not bring it into the new one.
    await prepare(otherKey.public);
    await expect(sshExec(tester(own), 'current')).rejects.toThrow(/authentication/i);
    const late = await sshExec(control(), `authorize ${thisJob}`, own.public);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/is not the board's current job any more/);
    await expect(sshExec(tester(own), 'current')).rejects.toThrow(/authentication/i);
  });

  it('flashes an image only while the card is on the ts side', async () => {
    await prepare();
    const image = Buffer.alloc(1_500_000, 0xa5);
    expect(await sshExec(tester(), 'dut')).toMatchObject({ code: 0 });
    expect(board.stm.state).toMatchObject({ mux: 'dut', power: 'on' });
    const refused = await sshExec(tester(), 'flash', image);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'flash: the SD card is on the DUT side: run "ts" first to switch it to the test server\n',
    );
    expect(readFileSync(join(dir, 'sda')).length).toBe(0);

    expect(await sshExec(tester(), 'ts')).toMatchObject({ code: 0 });
    expect(board.stm.state).toMatchObject({ mux: 'ts', power: 'off' });
    const flashed = await sshExec(tester(), 'flash', image);
    expect(flashed.code).toBe(0);
    expect(flashed.stdout).toBe(`flash: wrote 1500000 bytes to ${join(dir, 'sda')}\n`);
    expect(flashed.stderr).toMatch(/flash: 1\.4 MiB written/);
    expect(readFileSync(join(dir, 'sda')).equals(image)).toBe(true);
  });

  it('maintenance shows the message, blinks the LEDs and revokes testers', async () => {
    await prepare();
    const session = await sshConnect(tester());
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    const result = await sshExec(control(), 'maintenance "PSU broken, ask Ana in room 4"');
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    await closed;
    await expect(sshExec(tester(), 'current')).rejects.toThrow(/authentication/i);
    const display = board.stm.state.display;
    expect(display.slice(display.map((e) => e.kind).lastIndexOf('clr'))).toEqual([
      { kind: 'clr' },
      { kind: 'text', x: 0, y: 0, colour: 'on', text: 'PSU broken, ask' },
      { kind: 'text', x: 0, y: 2, colour: 'on', text: 'Ana in room 4' },
    ]);
    // The LEDs alternate: wait for each phase in turn (between its two LED commands both may
    // briefly show the same colour, so single readings prove nothing).
    const leds = () => JSON.stringify([board.stm.state.leds[1], board.stm.state.leds[2]]);
    const yellow = [96, 144, 0];
    const off = [0, 0, 0];
    await waitFor(() => leds() === JSON.stringify([yellow, off]), 'LED 1 yellow, LED 2 off');
    await waitFor(() => leds() === JSON.stringify([off, yellow]), 'LED 1 off, LED 2 yellow');
    await waitFor(() => leds() === JSON.stringify([yellow, off]), 'LED 1 yellow again');
    const status = JSON.parse((await sshExec(control(), 'status')).stdout) as AgentStatus;
    expect(status.maintenance).toEqual({ active: true, message: 'PSU broken, ask Ana in room 4' });
    expect(status.job).toEqual({ active: false, username: null, keys: 0 });

    await prepare();
    expect(board.stm.state.leds).toEqual({ 1: [0, 0, 0], 2: [0, 0, 0] });
    expect(board.stm.state.display.at(-1)).toEqual({ kind: 'clr' });
  });

  it('healthcheck ticks the power and fails with a clear reason when the STM stops answering', async () => {
    const seen: string[] = [];
    board.stm.on('command', (line: string) => seen.push(line));
    expect(await sshExec(control(), 'healthcheck')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(seen).toContain('power tick 20');
    board.stm.faults.noReply = true;
    const sick = await sshExec(control(), 'healthcheck');
    expect(sick.code).toBe(1);
    expect(sick.stderr).toBe(
      'STM not answering on sim://board-1/stm (timeout after 520 ms waiting for "power tick 20")\n',
    );
    board.stm.faults.noReply = false;
    expect((await sshExec(control(), 'healthcheck')).code).toBe(0);
  });
});
