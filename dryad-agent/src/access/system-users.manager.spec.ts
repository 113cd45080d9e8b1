import { Logger } from '../log/logger';
import {
  FakeCommandRunner as FakeRunner,
  FAKE_FIRST_NEW_UID,
} from '../testing/fake-command.runner';
import { FakeKeysWriter } from '../testing/fake-keys.writer';
import { SystemUsersManager } from './system-users.manager';

describe('SystemUsersManager', () => {
  const keys = ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ'];
  const manager = (runner: FakeRunner, writer = new FakeKeysWriter()) =>
    new SystemUsersManager(runner, writer, Logger.silent());

  it('creates a fresh user with the job keys when none exists', async () => {
    const runner = new FakeRunner();
    const writer = new FakeKeysWriter();
    await manager(runner, writer).recreate('boruta-user', keys);
    expect(runner.calls).toEqual([
      'id -u boruta-user',
      'useradd --create-home --home-dir /home/boruta-user --shell /bin/bash --user-group boruta-user',
      'id -u boruta-user',
      'id -g boruta-user',
    ]);
    const id = FAKE_FIRST_NEW_UID;
    expect(writer.writes).toEqual([
      { home: '/home/boruta-user', owner: { uid: id, gid: id }, content: keys.join('\n') + '\n' },
    ]);
  });

  it('puts the user in the configured supplementary groups', async () => {
    const runner = new FakeRunner();
    const groups = new SystemUsersManager(runner, new FakeKeysWriter(), Logger.silent(), {
      groups: ['dialout', 'plugdev'],
    });
    await groups.recreate('boruta-user', keys);
    expect(runner.calls).toContain(
      'useradd --create-home --home-dir /home/boruta-user --shell /bin/bash --user-group --groups dialout,plugdev boruta-user',
    );
  });

  it("kills and deletes the previous job's user first", async () => {
    const runner = new FakeRunner({ 'boruta-user': 1001 });
    await manager(runner).recreate('boruta-user', keys.slice(0, 1));
    expect(runner.calls.slice(0, 4)).toEqual([
      'id -u boruta-user',
      'pkill -KILL -U 1001',
      'userdel --force --remove boruta-user',
      'useradd --create-home --home-dir /home/boruta-user --shell /bin/bash --user-group boruta-user',
    ]);
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
    runner.run = async (command: string, args: string[]) => {
      runner.calls.push([command, ...args].join(' '));
      return command === 'useradd'
        ? { code: 9, stdout: '', stderr: 'useradd: user already exists' }
        : { code: 1, stdout: '', stderr: '' };
    };
    await expect(manager(runner).recreate('boruta-user', keys)).rejects.toThrow(
      /^useradd .* failed \(exit 9\): useradd: user already exists$/,
    );
  });
});
