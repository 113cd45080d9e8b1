import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessBackendFor } from './access/access-backend.factory';
import { Agent } from './agent';
import { SimulatedBoard } from './fleet/simulated.board';
import { Logger } from './log/logger';
import { generateEd25519KeyPair } from './ssh-keys';
import { FAKE_FIRST_NEW_UID, FakeCommandRunner } from './testing/fake-command.runner';
import { FakeKeysWriter } from './testing/fake-keys.writer';
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
    writeFileSync(join(dir, 'sda'), '');
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
      accessBackend: accessBackendFor(config, Logger.silent(), { runner, keys: keysWriter }),
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
      'pkill -KILL -U 1001',
      'userdel --force --remove boruta-user',
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
      // ssh.job_groups defaults to dialout: the shell can open the DUT's USB-serial adapters.
      'useradd --create-home --home-dir /home/boruta-user --shell /bin/bash --user-group --groups dialout boruta-user',
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
});
