import { Logger } from '../log/logger';
import type { AgentDevicesGuard } from './agent-devices.guard';
import type { AuthorizedKeysWriter, FileOwner } from './authorized-keys.file';
import type { CommandRunner } from './command.runner';
import { DeviceLender } from './device.lease';
import { JobFilesSweeper } from './job-files.sweeper';
import { IpcTable, JobIpcSweeper, ProcIpcTable } from './job-ipc.sweeper';
import { JobProcessesReaper, ReaperOptions } from './job-processes.reaper';
import { JobUidStore } from './job-uid.store';
import { ProcessTable, ProcfsProcessTable } from './process.table';
import { MountTable, ProcMountTable } from './writable-mounts';

/** Accounts below this uid belong to the system; the agent never deletes them. */
const FIRST_REGULAR_UID = 1000;

/**
 * The shadow password field of a job user: no password matches it (key logins only), and,
 * unlike useradd's `!`, OpenSSH without PAM does not take it for a locked account.
 */
const NO_PASSWORD = '*';

export interface SystemUsersOptions {
  /** Supplementary groups of each job user (config `ssh.job_groups`). */
  groups?: string[];
  homeBase?: string;
  /** Which uids were handed out and are not cleaned yet; persisted by the agent. */
  store?: JobUidStore;
  processes?: ProcessTable;
  mounts?: MountTable;
  ipc?: IpcTable;
  reaper?: ReaperOptions;
  /** A device the job user may open for the job (the console with `console.job_access`). */
  lentDevice?: string | null;
  /** Checked before each user is made: the agent's own devices stay closed to it. */
  guard?: AgentDevicesGuard;
}

/**
 * System access mode: one fresh, unprivileged Unix user per job, as upstream Dryad does, so
 * testers get a real shell through the board's OpenSSH. Nothing of a job may reach the next:
 * each job user gets a uid never given to the one before, and removing it deletes the account
 * (no more logins), kills every process of the uid until none is left, and deletes every file
 * the uid owns on every writable file system, before the next user exists.
 */
export class SystemUsersManager {
  private readonly groups: string[];
  private readonly homeBase: string;
  private readonly store: JobUidStore;
  private readonly processes: ProcessTable;
  private readonly reaper: JobProcessesReaper;
  private readonly sweeper: JobFilesSweeper;
  private readonly ipcSweeper: JobIpcSweeper;
  private readonly lender: DeviceLender;

  constructor(
    private readonly runner: CommandRunner,
    private readonly keys: AuthorizedKeysWriter,
    private readonly log: Logger,
    private readonly options: SystemUsersOptions = {},
  ) {
    this.groups = options.groups ?? [];
    this.homeBase = options.homeBase ?? '/home';
    this.store = options.store ?? new JobUidStore(null);
    this.processes = options.processes ?? new ProcfsProcessTable();
    this.reaper = new JobProcessesReaper(runner, this.processes, options.reaper);
    this.sweeper = new JobFilesSweeper(runner, options.mounts ?? new ProcMountTable());
    this.ipcSweeper = new JobIpcSweeper(runner, options.ipc ?? new ProcIpcTable());
    this.lender = new DeviceLender(this.store);
  }

  /** Deletes `user` if present, creates it afresh, and installs `keyLines` as its authorized_keys. */
  async recreate(user: string, keyLines: string[]): Promise<void> {
    // The previous job goes first, whatever the check below finds.
    await this.remove(user);
    await this.options.guard?.check();
    const uid = await this.store.allocate((candidate) => this.uidIsFree(candidate));
    const home = `${this.homeBase}/${user}`;
    await this.must('useradd', [
      '--uid',
      String(uid),
      '--user-group',
      '--password',
      NO_PASSWORD,
      '--create-home',
      '--home-dir',
      home,
      '--shell',
      '/bin/bash',
      ...(this.groups.length ? ['--groups', this.groups.join(',')] : []),
      user,
    ]);
    const owner = await this.owner(user);
    if (owner.uid !== uid) throw new Error(`useradd gave ${user} uid ${owner.uid}, not ${uid}`);
    await this.writeKeys(user, keyLines);
    if (this.options.lentDevice) await this.lender.lend(this.options.lentDevice, uid);
    this.log.info(`created Unix user ${user} (uid ${uid}) for the job`);
  }

  /** At agent start: cleans up after the previous run, then checks the devices' permissions. */
  async recover(user: string): Promise<void> {
    await this.remove(user);
    await this.options.guard?.check();
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

  /**
   * Removes `user` and everything of every job uid not cleaned yet (a crash may have left one
   * between steps): the account and its home first, so nobody logs in any more; then every
   * process; then the lent device goes back; then every file of the uid, wherever it is, and
   * its System V IPC objects.
   */
  async remove(user: string): Promise<void> {
    const uids = new Set(this.store.uncleaned);
    const id = await this.runner.run('id', ['-u', user]);
    if (id.code === 0) {
      const uid = Number(id.stdout.trim());
      if (!Number.isInteger(uid) || uid < FIRST_REGULAR_UID) {
        throw new Error(
          `refusing to delete ${user}: uid ${id.stdout.trim()} is a system account; choose another ssh.job_user`,
        );
      }
      uids.add(uid);
      await this.must('userdel', ['--force', '--remove', user]);
    }
    for (const uid of uids) await this.reaper.killAll({ uid, gid: uid });
    await this.lender.giveBack();
    for (const uid of uids) {
      await this.sweeper.sweep(uid);
      await this.ipcSweeper.sweep(uid);
      this.store.cleaned(uid);
    }
    if (uids.size) {
      this.log.info(
        `removed job user ${user}: uid ${[...uids].join(', ')} has no account, process or file left`,
      );
    }
  }

  /** A uid nobody has: no account, no group of that number (it becomes the user's), no process. */
  private async uidIsFree(uid: number): Promise<boolean> {
    if ((await this.runner.run('getent', ['passwd', String(uid)])).code === 0) return false;
    if ((await this.runner.run('getent', ['group', String(uid)])).code === 0) return false;
    return (await this.processes.pidsOf(uid)).length === 0;
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
