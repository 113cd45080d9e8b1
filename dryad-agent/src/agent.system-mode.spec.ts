import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessBackendFor } from './access/access-backend.factory';
import { Agent } from './agent';
import { SimulatedBoard } from './fleet/simulated.board';
import { Logger } from './log/logger';
import { generateEd25519KeyPair } from './ssh-keys';
import { FAKE_FIRST_NEW_UID, FakeCommandRunner } from './testing/fake-command.runner';
import { FakeIpcTable } from './testing/fake-ipc.table';
import { FakeKeysWriter } from './testing/fake-keys.writer';
import { FakeMountTable } from './testing/fake-mount.table';
import { FakeProcessTable } from './testing/fake-process.table';
import { FakeLeshyServer } from './testing/fake-leshy.server';
import { sshExec } from './testing/ssh-exec';
import { testConfig } from './testing/test-config';

jest.setTimeout(15_000);

/** System access mode wired into a whole agent, with user management recorded, not run. */
describe('agent in system access mode', () => {
  let dir: string;
  let server: FakeLeshyServer;
  let board: SimulatedBoard;
  let agent: Agent;
  let runner: FakeCommandRunner;
  let keysWriter: FakeKeysWriter;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-system-'));
    // Root's alone, as the agent's devices must be in system mode (the agent checks).
    writeFileSync(join(dir, 'sda'), '', { mode: 0o600 });
    server = new FakeLeshyServer();
    await server.start();
    board = new SimulatedBoard('board-s');
    runner = new FakeCommandRunner({ 'boruta-user': 1001 });
    keysWriter = new FakeKeysWriter();
    const config = testConfig(dir, server.url, {}, { access_mode: 'system' });
    agent = new Agent({
      config,
      stmEndpoint: board.stmEndpoint,
      consoleEndpoint: board.consoleEndpoint,
      logger: Logger.silent(),
      accessBackend: accessBackendFor(config, Logger.silent(), {
        runner,
        keys: keysWriter,
        processes: new FakeProcessTable(),
        mounts: new FakeMountTable(['/']),
        ipc: new FakeIpcTable(),
      }),
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

  it("advertises the board's OpenSSH, deletes a stale job user at start, and makes one per prepare", async () => {
    const registered = server.agents.get(agent.uuid)!;
    const port = Number(registered.controlAddr.split(':')[1]);
    expect(registered).toMatchObject({ accessMode: 'system', sshAddr: '127.0.0.1:22' });
    expect(runner.calls).toEqual([
      'id -u boruta-user',
      'userdel --force --remove boruta-user',
      'kill -9 -1 as 1001',
      'find / -xdev -uid 1001 -delete',
      'find / -xdev -uid 1001 -print -quit',
    ]);

    runner.calls.length = 0;
    const jobKey = generateEd25519KeyPair();
    const control = { port, username: 'dryad', privateKey: server.keys.private };
    expect(await sshExec(control, 'prepare', jobKey.public)).toMatchObject({
      code: 0,
      stdout: '{"username":"boruta-user"}\n',
    });
    // The start deleted the stale user, so this prepare only creates one.
    expect(runner.calls).toEqual([
      'id -u boruta-user',
      `getent passwd ${FAKE_FIRST_NEW_UID}`,
      `getent group ${FAKE_FIRST_NEW_UID}`,
      // No supplementary groups by default: on Debian dialout would open the STM's line too.
      `useradd --uid ${FAKE_FIRST_NEW_UID} --user-group --password * --create-home --home-dir /home/boruta-user --shell /bin/bash boruta-user`,
      'id -u boruta-user',
      'id -g boruta-user',
      'id -u boruta-user',
      'id -g boruta-user',
    ]);
    expect(keysWriter.writes).toEqual([
      {
        home: '/home/boruta-user',
        owner: { uid: FAKE_FIRST_NEW_UID, gid: FAKE_FIRST_NEW_UID },
        content: jobKey.public.split(' ').slice(0, 2).join(' ') + '\n',
      },
    ]);

    // The board commands stay available on the agent's port; SFTP is OpenSSH's job here.
    const tester = { port, username: 'boruta-user', privateKey: jobKey.private };
    expect(await sshExec(tester, 'current')).toMatchObject({ code: 0, stdout: '0\n' });

    runner.calls.length = 0;
    expect((await sshExec(control, 'maintenance broken')).code).toBe(0);
    expect(runner.calls).toContain('userdel --force --remove boruta-user');
  });

  it("refuses to start when the job user could open one of the agent's devices", async () => {
    const config = testConfig(dir, server.url, {}, { access_mode: 'system' });
    chmodSync(join(dir, 'sda'), 0o644);
    const other = new SimulatedBoard('board-x');
    const exposed = new Agent({
      config,
      stmEndpoint: other.stmEndpoint,
      consoleEndpoint: other.consoleEndpoint,
      logger: Logger.silent(),
      accessBackend: accessBackendFor(config, Logger.silent(), {
        runner: new FakeCommandRunner(),
        keys: new FakeKeysWriter(),
        processes: new FakeProcessTable(),
        mounts: new FakeMountTable(['/']),
        ipc: new FakeIpcTable(),
      }),
    });
    await expect(exposed.start()).rejects.toThrow(
      `the job user could open what the agent owns: sdcard.device ${join(dir, 'sda')} is open to every user (mode 644)`,
    );
    await exposed.stop();
    other.stop();
  });

  it('removes the job user, its processes and files when the agent stops', async () => {
    const port = Number(server.agents.get(agent.uuid)!.controlAddr.split(':')[1]);
    const control = { port, username: 'dryad', privateKey: server.keys.private };
    expect((await sshExec(control, 'prepare', generateEd25519KeyPair().public)).code).toBe(0);
    runner.calls.length = 0;
    await agent.stop();
    expect(runner.calls).toEqual([
      'id -u boruta-user',
      'userdel --force --remove boruta-user',
      `kill -9 -1 as ${FAKE_FIRST_NEW_UID}`,
      `find / -xdev -uid ${FAKE_FIRST_NEW_UID} -delete`,
      `find / -xdev -uid ${FAKE_FIRST_NEW_UID} -print -quit`,
    ]);
  });

  it('admits a key on neither port when writing authorized_keys fails', async () => {
    const port = Number(server.agents.get(agent.uuid)!.controlAddr.split(':')[1]);
    const control = { port, username: 'dryad', privateKey: server.keys.private };
    expect((await sshExec(control, 'prepare', generateEd25519KeyPair().public)).code).toBe(0);
    keysWriter.write = async () => {
      throw new Error('disk full');
    };
    const extra = generateEd25519KeyPair();
    const answer = await sshExec(control, 'authorize', extra.public);
    expect(answer.code).not.toBe(0);
    expect(answer.stderr).toContain('disk full');
    expect(agent.jobs.keyCount).toBe(1);
    const tester = { port, username: 'boruta-user', privateKey: extra.private };
    await expect(sshExec(tester, 'current')).rejects.toThrow(/authentication/i);
  });
});
