import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '../log/logger';
import {
  FakeCommandRunner as FakeRunner,
  FAKE_FIRST_NEW_UID,
} from '../testing/fake-command.runner';
import { FakeIpcTable } from '../testing/fake-ipc.table';
import { FakeKeysWriter } from '../testing/fake-keys.writer';
import { FakeMountTable } from '../testing/fake-mount.table';
import { FakeProcessTable } from '../testing/fake-process.table';
import type { AgentDevicesGuard } from './agent-devices.guard';
import { JobUidStore } from './job-uid.store';
import { SystemUsersManager, SystemUsersOptions } from './system-users.manager';

describe('SystemUsersManager', () => {
  const keys = ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ'];
  const first = FAKE_FIRST_NEW_UID;
  const manager = (
    runner: FakeRunner,
    options: SystemUsersOptions = {},
    writer = new FakeKeysWriter(),
  ) =>
    new SystemUsersManager(runner, writer, Logger.silent(), {
      processes: new FakeProcessTable(),
      mounts: new FakeMountTable(['/', '/tmp']),
      ipc: new FakeIpcTable(),
      ...options,
    });
  const useradd = (uid: number, groups = '') =>
    `useradd --uid ${uid} --user-group --password * --create-home --home-dir /home/boruta-user --shell /bin/bash${groups} boruta-user`;
  /** What removing the job user of `uid` runs, after `id -u` found it. */
  const removal = (uid: number) => [
    'userdel --force --remove boruta-user',
    `kill -9 -1 as ${uid}`,
    `find / -xdev -uid ${uid} -delete`,
    `find / -xdev -uid ${uid} -print -quit`,
    `find /tmp -xdev -uid ${uid} -delete`,
    `find /tmp -xdev -uid ${uid} -print -quit`,
  ];

  it('creates a fresh user, with a uid of its own and no password, with the job keys', async () => {
    const runner = new FakeRunner();
    const writer = new FakeKeysWriter();
    await manager(runner, {}, writer).recreate('boruta-user', keys);
    expect(runner.calls).toEqual([
      'id -u boruta-user',
      `getent passwd ${first}`,
      `getent group ${first}`,
      // '*': key logins only, and not "locked" (useradd's '!') for OpenSSH without PAM.
      useradd(first),
      'id -u boruta-user',
      'id -g boruta-user',
      'id -u boruta-user',
      'id -g boruta-user',
    ]);
    expect(writer.writes).toEqual([
      {
        home: '/home/boruta-user',
        owner: { uid: first, gid: first },
        content: keys.join('\n') + '\n',
      },
    ]);
  });

  it('puts the user in the configured supplementary groups', async () => {
    const runner = new FakeRunner();
    await manager(runner, { groups: ['plugdev', 'gpio'] }).recreate('boruta-user', keys);
    expect(runner.calls).toContain(useradd(first, ' --groups plugdev,gpio'));
  });

  it("removes the previous job's user, its processes and files first, and never reuses its uid", async () => {
    const runner = new FakeRunner();
    const users = manager(runner);
    await users.recreate('boruta-user', keys);
    runner.calls.length = 0;
    await users.recreate('boruta-user', keys);
    expect(runner.calls.slice(0, 10)).toEqual([
      'id -u boruta-user',
      ...removal(first),
      `getent passwd ${first + 1}`,
      `getent group ${first + 1}`,
      useradd(first + 1),
    ]);
  });

  it('skips uids that an account, a group or a process already has', async () => {
    const runner = new FakeRunner();
    const taken = new Set([first, first + 1]);
    runner.run = ((run) => async (command, args, as) => {
      const result = await run(command, args, as);
      if (command === 'getent' && args[0] === 'passwd' && taken.has(Number(args[1])))
        return { code: 0, stdout: 'someone:x:', stderr: '' };
      return result;
    })(runner.run.bind(runner));
    const processes = { pidsOf: async (uid: number) => (uid === first + 2 ? [4242] : []) };
    await manager(runner, { processes }).recreate('boruta-user', keys);
    expect(runner.calls).toContain(useradd(first + 3));
  });

  describe('after the agent was killed mid-job', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'system-users-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('cleans the uid it handed out even when the account is already gone, and moves on', async () => {
      const path = join(dir, 'system-users.json');
      const before = new FakeRunner();
      await manager(before, { store: new JobUidStore(path) }).recreate('boruta-user', keys);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
        nextUid: first + 1,
        uncleaned: [first],
      });

      // Restarted: userdel had run, the kill and the sweep had not.
      const after = new FakeRunner();
      await manager(after, { store: new JobUidStore(path) }).remove('boruta-user');
      expect(after.calls).toEqual(['id -u boruta-user', ...removal(first).slice(1)]);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
        nextUid: first + 1,
        uncleaned: [],
      });
    });
  });

  it('fails, and keeps the uid to clean, when files of the uid survive the sweep', async () => {
    const runner = new FakeRunner();
    const store = new JobUidStore(null);
    const users = manager(runner, { store });
    await users.recreate('boruta-user', keys);
    runner.run = ((run) => async (command, args, as) =>
      command === 'find' && args.includes('-print')
        ? { code: 0, stdout: '/tmp/immutable\n', stderr: '' }
        : run(command, args, as))(runner.run.bind(runner));
    await expect(users.recreate('boruta-user', keys)).rejects.toThrow(
      `files of uid ${first} remain after deleting them, e.g. /tmp/immutable`,
    );
    expect(store.uncleaned).toEqual([first]);
    expect(runner.calls.filter((c) => c.startsWith('useradd'))).toHaveLength(1);
  });

  it("removes the previous job's user even when the devices check then refuses a new one", async () => {
    const guard = {
      check: async () => Promise.reject(new Error('stm.path is open to every user')),
    };
    // The last job's user was made while the devices were fine; since then one was opened up.
    const made = new FakeRunner({ 'boruta-user': first });
    const store = new JobUidStore(null);
    await store.allocate(async () => true);
    await expect(
      manager(made, { guard: guard as unknown as AgentDevicesGuard, store }).recreate(
        'boruta-user',
        keys,
      ),
    ).rejects.toThrow('stm.path is open to every user');
    expect(made.calls.slice(0, 2)).toEqual([
      'id -u boruta-user',
      'userdel --force --remove boruta-user',
    ]);
    expect(made.calls.some((c) => c.startsWith('useradd'))).toBe(false);
    expect(store.uncleaned).toEqual([]);
  });

  it('never deletes a system account', async () => {
    const runner = new FakeRunner({ daemon: 1 });
    await expect(manager(runner).remove('daemon')).rejects.toThrow(
      'refusing to delete daemon: uid 1 is a system account; choose another ssh.job_user',
    );
    expect(runner.calls).toEqual(['id -u daemon']);
  });

  it('reports a failing command with its output', async () => {
    const runner = new FakeRunner();
    runner.run = ((run) => async (command, args, as) =>
      command === 'useradd'
        ? { code: 9, stdout: '', stderr: 'useradd: user already exists' }
        : run(command, args, as))(runner.run.bind(runner));
    await expect(manager(runner).recreate('boruta-user', keys)).rejects.toThrow(
      /^useradd .* failed \(exit 9\): useradd: user already exists$/,
    );
  });
});
