import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command as this uid and gid, with no supplementary groups (a job user's processes). */
export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * The commands user management runs, behind an interface so that a unit test can check what
 * would be run without creating users. Arguments are passed without a shell.
 */
export interface CommandRunner {
  run(command: string, args: string[], as?: RunAs): Promise<CommandResult>;
}

export class ChildProcessCommandRunner implements CommandRunner {
  run(command: string, args: string[], as?: RunAs): Promise<CommandResult> {
    return new Promise((resolve) => {
      // With uid/gid, Node's child drops the supplementary groups, sets the gid, then the uid,
      // before exec: the small "setuid helper" that lets root act as exactly one job user.
      const identity = as ? { uid: as.uid, gid: as.gid } : {};
      execFile(command, args, { timeout: 30_000, ...identity }, (error, stdout, stderr) => {
        const exited = !error || typeof error.code === 'number';
        resolve({
          code: error ? (exited ? (error.code as number) : 127) : 0,
          stdout: String(stdout),
          // Node's message only when the command did not run (not found, killed by the timeout):
          // an exit status comes with the command's own stderr, empty or not.
          stderr: exited ? String(stderr) : String(stderr) || (error as Error).message,
        });
      });
    });
  }
}
