import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import { CONTROL_USER } from 'dryad-agent/protocol';
import { SFTPWrapper } from 'ssh2';
import { AgentProcess, startAgentProcess } from './support/agent-process';
import { waitForWorkerState } from './support/fake-agent';
import { rawRequest, v1Json } from './support/http-client';
import { ServerProcess, startServer } from './support/server-process';
import { stablePorts } from './support/stable-ports';
import { sshConnect, sshExec, sshRefused } from './support/ssh-session';
import { peekRow } from './support/sqlite-peek';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

/**
 * Real boards, driven for real: the server, a `fleet` of three simulated boards and one `run`
 * agent whose STM and DUT console are simulated on pseudo-terminals (socat), all as processes.
 */
const TOKEN = 'boards-e2e-agent-token';

interface Access {
  Addr: { IP: string; Port: number };
  Key: string;
  Username: string;
}

describe('boards: server, fleet and a run agent on ptys', () => {
  const dir = tempDir('leshy-boards-');
  let server: ServerProcess;
  let simulator: AgentProcess;
  let agent: AgentProcess;
  let fleet: AgentProcess;
  let agentPort: number;
  let runUuid: string;
  const config = path.join(dir.path, 'dryad.toml');

  const startRunAgent = async () => {
    agent = startAgentProcess(['run', '--config', config]);
    await agent.waitForOutput(/registered with the server/, 'the run agent to register');
  };

  beforeAll(async () => {
    server = await startServer({
      dataDir: path.join(dir.path, 'server'),
      env: {
        LESHY_AGENT_TOKEN: TOKEN,
        LESHY_V1_ANONYMOUS_ROLE: 'admin',
        LESHY_HEALTHCHECK_INTERVAL: '2s',
        LESHY_DRYAD_TIMEOUT: '15s',
        LESHY_KEY_POOL: '4',
      },
    });
    simulator = startAgentProcess([
      'simulate',
      '--stm',
      path.join(dir.path, 'stm'),
      '--console',
      path.join(dir.path, 'console'),
    ]);
    await simulator.waitForOutput(/^ready$/m, 'the simulated STM and DUT');

    // What an admin does on a fresh board: init, then edit the config.
    expect(await startAgentProcess(['init', '--config', config]).exitCode()).toBe(0);
    // Restarted on this port below: one no parallel suite's port-0 bind can take meanwhile.
    agentPort = await stablePorts(1);
    writeFileSync(path.join(dir.path, 'sdcard.img'), Buffer.alloc(0));
    const edited = readFileSync(config, 'utf8')
      .replace(/^data_dir = .*$/m, `data_dir = "${path.join(dir.path, 'agent-data')}"`)
      .replace(/^url = .*$/m, `url = "${server.baseUrl}"`)
      .replace(/^token = .*$/m, `token = "${TOKEN}"`)
      .replace(/^# board = .*$/m, 'board = "muxpi-e2e"')
      .replace(/^listen = .*$/m, `listen = "127.0.0.1:${agentPort}"`)
      .replace(/^path = "\/dev\/ttyS2"$/m, `path = "${path.join(dir.path, 'stm')}"`)
      .replace(/^path = "\/dev\/ttyS1"$/m, `path = "${path.join(dir.path, 'console')}"`)
      // Only the server's health check should notice a silent STM in this suite.
      .replace(/^probe_interval_ms = .*$/m, 'probe_interval_ms = 3600000')
      .replace(/^device = .*$/m, `device = "${path.join(dir.path, 'sdcard.img')}"`);
    writeFileSync(config, edited);
    runUuid = /^uuid = "([^"]+)"/m.exec(edited)![1];
    await startRunAgent();

    fleet = startAgentProcess([
      'fleet',
      '--count',
      '3',
      '--server',
      server.baseUrl,
      '--token',
      TOKEN,
      '--caps',
      'board=fleet-sim',
      '--base-port',
      '0',
      '--data-dir',
      path.join(dir.path, 'fleet'),
    ]);
    await fleet.waitForOutput(/3 boards registered/, 'the fleet to register');
  });

  afterAll(async () => {
    await Promise.all([agent?.stop(), fleet?.stop(), simulator?.stop()]);
    await server?.stop();
    dir.remove();
  });

  const workers = async () =>
    JSON.parse((await v1Json(server.baseUrl, 'POST', '/api/v1/workers/list', {})).body) as Array<{
      WorkerUUID: string;
      State: string;
      Caps: Record<string, string>;
    }>;
  const requestState = async (id: number) =>
    (await rawRequest(server.baseUrl, 'HEAD', `/api/v1/reqs/${id}`)).header('Boruta-Request-State');
  const failReason = async (uuid: string) =>
    (
      await peekRow<{ fail_reason: string }>(
        path.join(server.dataDir, 'leshy.sqlite'),
        'SELECT fail_reason FROM workers WHERE uuid = ?',
        [uuid],
      )
    )?.fail_reason;

  async function runningJob(
    caps: Record<string, string>,
  ): Promise<{ id: number; access: Access; worker: string }> {
    const created = await v1Json(server.baseUrl, 'POST', '/api/v1/reqs/', {
      Priority: 4,
      Caps: caps,
    });
    expect(created.status).toBe(201);
    const id = JSON.parse(created.body).ReqID as number;
    await waitFor(async () => (await requestState(id)) === 'IN PROGRESS', `request ${id} to run`);
    const info = JSON.parse((await rawRequest(server.baseUrl, 'GET', `/api/v1/reqs/${id}`)).body);
    const acquired = await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/acquire_worker`);
    expect(acquired.status).toBe(200);
    return { id, access: JSON.parse(acquired.body), worker: info.Job.WorkerUUID };
  }

  const connectAs = (access: Access) =>
    sshConnect({
      host: access.Addr.IP,
      port: access.Addr.Port,
      username: access.Username,
      privateKey: access.Key,
    });

  it('registers every board in MAINTENANCE; an admin sets them IDLE and they are prepared', async () => {
    const listed = await workers();
    expect(listed).toHaveLength(4);
    expect(listed.every((w) => w.State === 'MAINTENANCE')).toBe(true);
    expect(listed.find((w) => w.WorkerUUID === runUuid)?.Caps).toEqual({
      UUID: runUuid,
      board: 'muxpi-e2e',
    });
    for (const w of listed) {
      const set = await v1Json(server.baseUrl, 'POST', `/api/v1/workers/${w.WorkerUUID}/setstate`, {
        WorkerState: 'IDLE',
      });
      expect(set.status).toBe(204);
    }
    for (const w of listed) await waitForWorkerState(server.baseUrl, w.WorkerUUID, 'IDLE', 30_000);
  });

  it('gives a tester the board through the tunnel: console boot log, power, current, SFTP; close revokes the key', async () => {
    const { id, access, worker } = await runningJob({ board: 'muxpi-e2e' });
    expect(worker).toBe(runUuid);
    expect(access.Key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    const tester = await connectAs(access);

    // The console has no scrollback: attach first, then power-cycle the DUT.
    let consoleText = '';
    await new Promise<void>((resolve, reject) =>
      tester.exec('console', (error, stream) => {
        if (error) return reject(error);
        stream.on('data', (chunk: Buffer) => (consoleText += chunk.toString()));
        resolve();
      }),
    );
    expect((await sshExec(tester, 'power tick 100')).code).toBe(0);
    await waitFor(
      () => /Booting Linux/.test(consoleText) && /login:/.test(consoleText),
      'the DUT boot log on the console',
    );
    const current = await sshExec(tester, 'current');
    expect(current.code).toBe(0);
    expect(current.stdout.trim()).toMatch(/^\d+/);

    // What a real MuxPi offers beyond power, against the simulator's real-board default (an
    // STM whose echo never goes off).
    expect(await sshExec(tester, 'ts')).toEqual({ code: 0, stdout: '' });
    expect(await sshExec(tester, 'mux')).toEqual({ code: 0, stdout: 'ts\n' });
    for (const command of ['usb uart', 'hdmi on', 'dyper 1 on'])
      expect(await sshExec(tester, command)).toEqual({ code: 0, stdout: '' });
    const profile = await sshExec(tester, 'current --rate 50 --duration 300ms');
    expect(profile.code).toBe(0);
    expect(profile.stdout).toMatch(/^(\d+ \d+\n)+$/);
    const board = JSON.parse((await simulator.command('state')).replace(/^ok /, ''));
    expect(board).toMatchObject({
      echo: true,
      mux: 'ts',
      hdmi: 'on',
      dypers: { 1: 'on' },
      lthor: { switch: 'uart', id: 'uart' },
      faults: { echoOffWorks: false },
    });

    const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
      tester.sftp((e, s) => (e ? reject(e) : resolve(s))),
    );
    const payload = randomBytes(64 * 1024);
    await new Promise<void>((resolve, reject) => {
      const out = sftp.createWriteStream('upload.bin');
      out.on('close', () => resolve());
      out.on('error', reject);
      out.end(payload);
    });
    const names = await new Promise<string[]>((resolve, reject) =>
      sftp.readdir('.', (e, list) => (e ? reject(e) : resolve(list.map((f) => f.filename)))),
    );
    expect(names).toContain('upload.bin');
    const size = await new Promise<number>((resolve, reject) =>
      sftp.stat('upload.bin', (e, s) => (e ? reject(e) : resolve(s.size))),
    );
    expect(size).toBe(payload.length);

    const closed = new Promise<void>((resolve) => tester.once('close', () => resolve()));
    expect((await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/close`)).status).toBe(204);
    expect(await requestState(id)).toBe('DONE');
    await closed; // the tunnel cut the session
    await waitForWorkerState(server.baseUrl, runUuid, 'IDLE', 30_000);
    // The board was prepared again: the old key no longer opens it, even directly.
    expect(
      await sshRefused({
        host: '127.0.0.1',
        port: agentPort,
        username: access.Username,
        privateKey: access.Key,
      }),
    ).toBe(true);
  });

  it('fleet boards serve jobs too', async () => {
    const { id, access, worker } = await runningJob({ board: 'fleet-sim' });
    expect(worker).not.toBe(runUuid);
    const tester = await connectAs(access);
    expect((await sshExec(tester, 'power on')).code).toBe(0);
    tester.end();
    expect((await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/close`)).status).toBe(204);
    await waitForWorkerState(server.baseUrl, worker, 'IDLE', 30_000);
  });

  it("refuses control commands from any key but the server's, including a tester's job key", async () => {
    const { id, access } = await runningJob({ board: 'muxpi-e2e' });
    const stranger = generateEd25519KeyPair().private;
    expect(
      await sshRefused({
        host: '127.0.0.1',
        port: agentPort,
        username: CONTROL_USER,
        privateKey: stranger,
      }),
    ).toBe(true);
    expect(
      await sshRefused({
        host: '127.0.0.1',
        port: agentPort,
        username: CONTROL_USER,
        privateKey: access.Key,
      }),
    ).toBe(true);
    expect((await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/close`)).status).toBe(204);
    await waitForWorkerState(server.baseUrl, runUuid, 'IDLE', 30_000);
  });

  it('an STM that stops answering fails the health check: worker FAILED with that reason', async () => {
    expect(await simulator.command('fault no-reply on')).toBe('ok');
    await waitForWorkerState(server.baseUrl, runUuid, 'FAILED', 30_000);
    expect(await failReason(runUuid)).toMatch(/^health check failed: .*STM not answering/);
    expect(await simulator.command('fault no-reply off')).toBe('ok');
  });

  it('an agent restarted with the same config is prepared again and serves', async () => {
    await agent.stop();
    await startRunAgent();
    await waitForWorkerState(server.baseUrl, runUuid, 'IDLE', 30_000);
  });

  it('an agent killed during a job fails the request and the worker, and closes the tunnel', async () => {
    const { id, access } = await runningJob({ board: 'muxpi-e2e' });
    const tester = await connectAs(access);
    const cut = new Promise<void>((resolve) => tester.once('close', () => resolve()));
    await agent.stop('SIGKILL');
    await waitFor(
      async () => (await requestState(id)) === 'FAILED',
      `request ${id} to fail`,
      30_000,
    );
    await waitForWorkerState(server.baseUrl, runUuid, 'FAILED');
    expect(await failReason(runUuid)).toMatch(/agent unreachable/);
    await cut;
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(access.Addr.Port, access.Addr.IP);
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);

    await startRunAgent();
    await waitForWorkerState(server.baseUrl, runUuid, 'IDLE', 30_000);
  });
});
