import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentStatus } from '../protocol';
import { CliProcess } from '../testing/cli-process';
import { FakeLeshyServer } from '../testing/fake-leshy.server';
import { sshExec } from '../testing/ssh-exec';
import { waitFor } from '../testing/wait-for';

/** The dryad-agent command as a lab admin and an e2e test use it: real processes, real ptys. */
describe('dryad-agent CLI', () => {
  let dir: string;
  let server: FakeLeshyServer;
  const processes: CliProcess[] = [];
  const cli = (...args: string[]) => {
    const p = new CliProcess(args);
    processes.push(p);
    return p;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dryad-cli-'));
    server = new FakeLeshyServer();
    await server.start();
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('init writes a config that run accepts once edited; run drives a simulated board on real ptys', async () => {
    const config = join(dir, 'dryad.toml');
    const init = cli('init', '--config', config);
    expect(await init.exited()).toBe(0);
    expect(init.stdout).toMatch(
      /^wrote .*dryad\.toml with board UUID [0-9a-f-]{36}\nnext: edit server\.url and server\.token/,
    );
    const uuid = /uuid = "([^"]+)"/.exec(readFileSync(config, 'utf8'))![1];

    const again = cli('init', '--config', config);
    expect(await again.exited()).toBe(78);
    expect(again.stderr).toMatch(/already exists; it holds this board's UUID/);

    const unedited = cli('run', '--config', config);
    expect(await unedited.exited()).toBe(78);
    expect(unedited.stderr).toMatch(/server\.url: still the placeholder/);

    const stm = join(dir, 'ttyS2');
    const consolePath = join(dir, 'ttyS1');
    const simulate = cli('simulate', '--stm', stm, '--console', consolePath, '--boot-line-ms', '1');
    await simulate.waitForOutput(/^ready\n/);
    expect(existsSync(stm) && existsSync(consolePath)).toBe(true);

    writeFileSync(
      config,
      readFileSync(config, 'utf8')
        .replace('url = "http://CHANGE-ME:8487"', `url = "${server.url}"`)
        .replace('token = "CHANGE-ME"', `token = "${server.token}"`)
        .replace('data_dir = "/var/lib/leshy/dryad"', 'data_dir = "state"')
        .replace('listen = "0.0.0.0:2222"', 'listen = "127.0.0.1:0"')
        .replace('path = "/dev/ttyS2"', 'path = "ttyS2"')
        .replace('timeout_ms = 2000', 'timeout_ms = 1000')
        .replace('healthcheck_tick_ms = 1000', 'healthcheck_tick_ms = 50')
        .replace('probe_interval_ms = 30000', 'probe_interval_ms = 200')
        .replace('path = "/dev/ttyS1"', 'path = "ttyS1"')
        .replace('check_interval_ms = 2000', 'check_interval_ms = 100')
        .replace('# board = "rpi4"', 'board = "rpi4"'),
    );
    const run = cli('run', '--config', config);
    const [, controlAddr] = await run.waitForOutput(/running: control (\S+), testers/);
    await waitFor(() => server.agents.get(uuid), 'the registration');
    expect(server.agents.get(uuid)).toMatchObject({
      caps: { board: 'rpi4', UUID: uuid },
      controlAddr,
    });

    const port = Number(controlAddr.split(':')[1]);
    const control = { port, username: 'dryad', privateKey: server.keys.private };
    const status = JSON.parse((await sshExec(control, 'status')).stdout) as AgentStatus;
    expect(status).toMatchObject({
      uuid,
      stm: { responding: true, power: 'off' },
      console: { present: true, path: consolePath },
    });
    expect(await sshExec(control, 'healthcheck')).toEqual({ code: 0, stdout: '', stderr: '' });

    simulate.send('fault no-reply on');
    await simulate.waitForOutput(/^ready\nok\n$/);
    await waitFor(() => server.failures(uuid).length === 1, 'the STM failure report', 10_000);
    expect(server.failures(uuid)[0]).toBe(
      `STM not answering on ${stm} (timeout after 1000 ms waiting for "power")`,
    );
    const sick = await sshExec(control, 'healthcheck');
    expect(sick.code).toBe(1);
    expect(sick.stderr).toMatch(
      new RegExp(`^STM not answering on ${stm} \\(timeout after \\d+ ms waiting for "`),
    );

    simulate.send('fault no-reply off');
    simulate.send('console-gone');
    await simulate.waitForOutput(/^ready\nok\nok\nok\n$/);
    await waitFor(() => server.failures(uuid).length === 2, 'the console failure report', 10_000);
    expect(server.failures(uuid)[1]).toMatch(new RegExp(`^DUT console ${consolePath} `));
    simulate.send('fault frobnicate');
    await simulate.waitForOutput(/error: unknown fault "frobnicate"/);

    expect(await run.stop('SIGTERM')).toBe(0);
    simulate.child.stdin!.end();
    expect(await simulate.exited()).toBe(0);
    expect(existsSync(stm)).toBe(false);
  }, 40_000);

  // Each test spawns node processes (and socat); a busy 2-core machine can take seconds.
  it('run without a config writes one and asks the admin to edit it', async () => {
    const config = join(dir, 'etc', 'dryad.toml');
    const run = cli('run', '--config', config);
    expect(await run.exited()).toBe(78);
    expect(run.stderr).toMatch(
      /no config at .*dryad\.toml: wrote one with board UUID [0-9a-f-]{36}\. Edit server\.url and server\.token/,
    );
    expect(readFileSync(config, 'utf8')).toMatch(/^# dryad-agent configuration/);
  }, 20_000);

  it('a bad config value names the key and what is accepted', async () => {
    const config = join(dir, 'bad.toml');
    writeFileSync(
      config,
      `uuid = "3f0c8a1e-5b7d-4c2a-9e1f-0a1b2c3d4e5f"\n[server]\nurl = "${server.url}"\ntoken = "t"\n[stm]\nbaud = 12345\n`,
    );
    const run = cli('run', '--config', config);
    expect(await run.exited()).toBe(78);
    expect(run.stderr).toMatch(
      /config problem: .*bad\.toml: stm\.baud: expected a standard baud rate \(.*\); got 12345/,
    );
  }, 20_000);

  it('explains usage errors', async () => {
    const bad = cli('fleet', '--count', 'many');
    expect(await bad.exited()).toBe(64);
    expect(bad.stderr).toBe(
      'dryad-agent: --count must be a whole number 1..1000\nsee: dryad-agent help fleet\n',
    );
    const unknown = cli('frobnicate');
    expect(await unknown.exited()).toBe(64);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const help = cli('help', 'simulate');
    expect(await help.exited()).toBe(0);
    expect(help.stdout).toMatch(/fault no-reply on\|off/);
  }, 20_000);

  it('fleet prints a line per registered board and a summary', async () => {
    const fleet = cli(
      'fleet',
      '--count',
      '2',
      '--server',
      server.url,
      '--token',
      server.token,
      '--caps',
      'arch=arm64',
    );
    await fleet.waitForOutput(/fleet: 2 boards registered in/);
    expect(
      fleet.stdout.match(
        /^board \d registered: uuid=\S+ ssh=127\.0\.0\.1:\d+ state=MAINTENANCE$/gm,
      ),
    ).toHaveLength(2);
    expect([...server.agents.values()].map((a) => a.caps.arch)).toEqual(['arm64', 'arm64']);
    expect(await fleet.stop('SIGINT')).toBe(0);
  }, 20_000);
});
