import type { CommandResult, CommandRunner, RunAs } from '../access/command.runner';
import { JOB_UID_RANGE } from '../access/job-uid.store';

/** The uid (and user-group gid) the first job user gets from a fresh uid store. */
export const FAKE_FIRST_NEW_UID = JOB_UID_RANGE.first;

/**
 * Records what would run (`… as UID` for commands run as a job user); answers `id -u` /
 * `id -g` from a table of existing users, which `useradd --uid` and `userdel` update (a new
 * user's uid is also its group's gid, as --user-group). Every named group exists (gid 20);
 * no numeric uid or gid is taken; `find` finds nothing and `kill` nothing to kill.
 */
export class FakeCommandRunner implements CommandRunner {
  readonly calls: string[] = [];
  private readonly uids: Record<string, number>;

  constructor(uids: Record<string, number> = {}) {
    this.uids = { ...uids };
  }

  async run(command: string, args: string[], as?: RunAs): Promise<CommandResult> {
    this.calls.push([command, ...args].join(' ') + (as ? ` as ${as.uid}` : ''));
    const user = args.at(-1) as string;
    const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' });
    if (command === 'id') {
      const uid = this.uids[user];
      return uid === undefined ? { code: 1, stdout: '', stderr: 'no such user' } : ok(`${uid}\n`);
    }
    if (command === 'getent') {
      return /^\d+$/.test(user) ? { code: 2, stdout: '', stderr: '' } : ok(`${user}:x:20:\n`);
    }
    if (command === 'useradd') this.uids[user] = Number(args[args.indexOf('--uid') + 1]);
    if (command === 'userdel') delete this.uids[user];
    if (command === 'kill') return { code: 1, stdout: '', stderr: '' }; // procps: nothing to kill
    return ok();
  }
}
