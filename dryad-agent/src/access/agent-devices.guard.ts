import { stat } from 'node:fs/promises';
import type { CommandRunner } from './command.runner';

export interface GuardedDevice {
  /** Config key naming it, for the message. */
  key: string;
  path: string;
}

/**
 * Refuses a setup in which the job user could open a device the agent owns (the STM line, the
 * SD card reader, the console unless lent): through "other" permission bits, or through a
 * group of `ssh.job_groups`. On Debian `dialout` opens /dev/ttyS*, the STM's line among them,
 * and a tester writing there drives the STM behind the agent's back.
 */
export class AgentDevicesGuard {
  constructor(
    private readonly runner: CommandRunner,
    private readonly devices: GuardedDevice[],
    private readonly jobGroups: string[],
  ) {}

  async check(): Promise<void> {
    const groupIds = new Map<number, string>();
    for (const group of this.jobGroups) {
      const entry = await this.runner.run('getent', ['group', group]);
      const gid = Number(entry.stdout.split(':')[2]);
      if (entry.code !== 0 || !Number.isInteger(gid)) {
        throw new Error(`ssh.job_groups: there is no group "${group}" on this board`);
      }
      groupIds.set(gid, group);
    }
    const problems: string[] = [];
    for (const device of this.devices) {
      let mode: number;
      let gid: number;
      try {
        ({ mode, gid } = await stat(device.path));
      } catch {
        continue; // not there (yet): the agent reports that elsewhere, and nobody can open it
      }
      if (mode & 0o006) {
        problems.push(
          `${device.key} ${device.path} is open to every user (mode ${(mode & 0o777).toString(8)})`,
        );
      } else if (mode & 0o060 && groupIds.has(gid)) {
        problems.push(
          `${device.key} ${device.path} belongs to group "${groupIds.get(gid)}", which ssh.job_groups gives the job user`,
        );
      }
    }
    if (problems.length) {
      throw new Error(
        `the job user could open what the agent owns: ${problems.join('; ')}. Remove the group from ssh.job_groups (use console.job_access for the console), or restrict the device with a udev rule (see the README, system mode)`,
      );
    }
  }
}
