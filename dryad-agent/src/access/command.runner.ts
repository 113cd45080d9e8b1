import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The commands user management runs, behind an interface so that a unit test can check what
 * would be run without creating users. Arguments are passed without a shell.
 */
export interface CommandRunner {
  run(command: string, args: string[]): Promise<CommandResult>;
}

export class ChildProcessCommandRunner implements CommandRunner {
  run(command: string, args: string[]): Promise<CommandResult> {
    return new Promise((resolve) => {
      execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr || (error && !stderr ? error.message : '')),
        });
      });
    });
  }
}
