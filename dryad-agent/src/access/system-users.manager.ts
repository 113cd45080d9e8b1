import { Logger } from '../log/logger';
import type { AuthorizedKeysWriter, FileOwner } from './authorized-keys.file';
import type { CommandRunner } from './command.runner';

/** Accounts below this uid belong to the system; the agent never deletes them. */
const FIRST_REGULAR_UID = 1000;

export interface SystemUsersOptions {
  /** Supplementary groups of each job user (config `ssh.job_groups`), e.g. dialout. */
  groups?: string[];
  homeBase?: string;
}

/**
 * System access mode: one fresh, unprivileged Unix user per job, as upstream Dryad does, so
 * testers get a real shell through the board's OpenSSH. The previous job's user is killed and
 * deleted with its home before the new one is made.
 */
export class SystemUsersManager {
  private readonly groups: string[];
  private readonly homeBase: string;

  constructor(
    private readonly runner: CommandRunner,
    private readonly keys: AuthorizedKeysWriter,
    private readonly log: Logger,
    options: SystemUsersOptions = {},
  ) {
    this.groups = options.groups ?? [];
    this.homeBase = options.homeBase ?? '/home';
  }

  /** Deletes `user` if present, creates it afresh, and installs `keyLines` as its authorized_keys. */
  async recreate(user: string, keyLines: string[]): Promise<void> {
    await this.remove(user);
    const home = `${this.homeBase}/${user}`;
    await this.must('useradd', [
      '--create-home',
      '--home-dir',
      home,
      '--shell',
      '/bin/bash',
      '--user-group',
      ...(this.groups.length ? ['--groups', this.groups.join(',')] : []),
      user,
    ]);
    await this.writeKeys(user, keyLines);
    this.log.info(`created Unix user ${user} for the job`);
  }

  /**
   * Rewrites the user's authorized_keys (used by `authorize`, while the tester may already be
   * logged in and may have planted links in the home: the writer is built for that).
   */
  async writeKeys(user: string, keyLines: string[]): Promise<void> {
    const owner = await this.owner(user);
    await this.keys.write(
      `${this.homeBase}/${user}`,
      owner,
      keyLines.map((l) => l + '\n').join(''),
    );
  }

  /** Kills the user's processes (its SSH sessions too) and deletes it with its home. */
  async remove(user: string): Promise<void> {
    const id = await this.runner.run('id', ['-u', user]);
    if (id.code !== 0) return; // no such user
    const uid = Number(id.stdout.trim());
    if (!Number.isInteger(uid) || uid < FIRST_REGULAR_UID) {
      throw new Error(
        `refusing to delete ${user}: uid ${id.stdout.trim()} is a system account; choose another ssh.job_user`,
      );
    }
    // pkill exits 1 when the user has no processes; that is fine.
    const killed = await this.runner.run('pkill', ['-KILL', '-U', String(uid)]);
    if (killed.code > 1) this.log.warn(`pkill for ${user} failed: ${killed.stderr.trim()}`);
    await this.must('userdel', ['--force', '--remove', user]);
    this.log.info(`deleted Unix user ${user} and its home`);
  }

  private async owner(user: string): Promise<FileOwner> {
    return { uid: await this.numericId(user, '-u'), gid: await this.numericId(user, '-g') };
  }

  private async numericId(user: string, flag: '-u' | '-g'): Promise<number> {
    const text = (await this.must('id', [flag, user])).trim();
    const id = Number(text);
    if (!/^\d+$/.test(text)) throw new Error(`id ${flag} ${user} printed "${text}", not a number`);
    return id;
  }

  private async must(command: string, args: string[]): Promise<string> {
    const result = await this.runner.run(command, args);
    if (result.code !== 0) {
      throw new Error(
        `${command} ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`,
      );
    }
    return result.stdout;
  }
}
