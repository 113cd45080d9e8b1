import type { CommandResult, CommandRunner } from '../access/command.runner';

/** The uid (and user-group gid) the fake gives the first user it creates. */
export const FAKE_FIRST_NEW_UID = 2000;

/**
 * Records what would run; answers `id -u` / `id -g` from a table of existing users, which
 * `useradd` and `userdel` update (a new user's uid is also its group's gid, as --user-group).
 */
export class FakeCommandRunner implements CommandRunner {
  readonly calls: string[] = [];
  private readonly uids: Record<string, number>;
  private nextUid = FAKE_FIRST_NEW_UID;

  constructor(uids: Record<string, number> = {}) {
    this.uids = { ...uids };
  }

  async run(command: string, args: string[]): Promise<CommandResult> {
    this.calls.push([command, ...args].join(' '));
    const user = args.at(-1) as string;
    if (command === 'id') {
      const uid = this.uids[user];
      return uid === undefined
        ? { code: 1, stdout: '', stderr: 'no such user' }
        : { code: 0, stdout: `${uid}\n`, stderr: '' };
    }
    if (command === 'useradd') this.uids[user] = this.nextUid++;
    if (command === 'userdel') delete this.uids[user];
    if (command === 'pkill') return { code: 1, stdout: '', stderr: '' }; // no processes
    return { code: 0, stdout: '', stderr: '' };
  }
}
