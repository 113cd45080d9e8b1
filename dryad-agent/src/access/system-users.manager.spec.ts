import { Logger } from '../log/logger';
import { FakeCommandRunner as FakeRunner } from '../testing/fake-command.runner';
import { SystemUsersManager } from './system-users.manager';

describe('SystemUsersManager', () => {
  const keys = ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ'];

  it('creates a fresh user with the job keys when none exists', async () => {
    const runner = new FakeRunner();
    await new SystemUsersManager(runner, Logger.silent()).recreate('boruta-user', keys);
    expect(runner.calls).toEqual([
      'id -u boruta-user',
      'useradd --create-home --home-dir /home/boruta-user --shell /bin/bash --user-group boruta-user',
      'install -d -m 700 -o boruta-user -g boruta-user /home/boruta-user/.ssh',
      'write /home/boruta-user/.ssh/authorized_keys 600',
      'chown boruta-user:boruta-user /home/boruta-user/.ssh/authorized_keys',
    ]);
    expect(runner.files.get('/home/boruta-user/.ssh/authorized_keys')?.content).toBe(
      keys.join('\n') + '\n',
    );
  });

  it("kills and deletes the previous job's user first", async () => {
    const runner = new FakeRunner({ 'boruta-user': 1001 });
    await new SystemUsersManager(runner, Logger.silent()).recreate('boruta-user', keys.slice(0, 1));
    expect(runner.calls.slice(0, 4)).toEqual([
      'id -u boruta-user',
      'pkill -KILL -U 1001',
      'userdel --force --remove boruta-user',
      'useradd --create-home --home-dir /home/boruta-user --shell /bin/bash --user-group boruta-user',
    ]);
  });

  it('never deletes a system account', async () => {
    const runner = new FakeRunner({ daemon: 1 });
    await expect(new SystemUsersManager(runner, Logger.silent()).remove('daemon')).rejects.toThrow(
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
    await expect(
      new SystemUsersManager(runner, Logger.silent()).recreate('boruta-user', keys),
    ).rejects.toThrow(/^useradd .* failed \(exit 9\): useradd: user already exists$/);
  });
});
