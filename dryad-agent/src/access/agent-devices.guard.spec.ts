import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentDevicesGuard } from './agent-devices.guard';
import type { CommandRunner } from './command.runner';

describe('AgentDevicesGuard', () => {
  let dir: string;
  let stm: string;
  /** getent: "dialout" is the group the device file has. */
  const runner = (gid: number): CommandRunner => ({
    run: async (_command, args) =>
      args[1] === 'dialout'
        ? { code: 0, stdout: `dialout:x:${gid}:\n`, stderr: '' }
        : { code: 2, stdout: '', stderr: '' },
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'guard-'));
    stm = join(dir, 'ttyS2');
    writeFileSync(stm, '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const guard = (groups: string[]) =>
    new AgentDevicesGuard(runner(statSync(stm).gid), [{ key: 'stm.path', path: stm }], groups);

  it("refuses job groups that open the STM's line (Debian: dialout opens /dev/ttyS*)", async () => {
    chmodSync(stm, 0o660);
    await expect(guard(['dialout']).check()).rejects.toThrow(
      `the job user could open what the agent owns: stm.path ${stm} belongs to group "dialout", which ssh.job_groups gives the job user`,
    );
    await expect(guard([]).check()).resolves.toBeUndefined();
  });

  it('refuses a device open to every user, and an unknown group', async () => {
    chmodSync(stm, 0o666);
    await expect(guard([]).check()).rejects.toThrow(
      /stm\.path .* is open to every user \(mode 666\)/,
    );
    chmodSync(stm, 0o600);
    await expect(guard(['gpio']).check()).rejects.toThrow(
      'ssh.job_groups: there is no group "gpio" on this board',
    );
    await expect(guard(['dialout']).check()).resolves.toBeUndefined();
  });
});
