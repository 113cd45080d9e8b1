import type { CommandResult, CommandRunner } from '../access/command.runner';

/** Records what would run; answers `id -u` from a table of existing users. */
export class FakeCommandRunner implements CommandRunner {
  readonly calls: string[] = [];
  readonly files = new Map<string, { content: string; mode: number }>();
  constructor(private readonly uids: Record<string, number> = {}) {}

  async run(command: string, args: string[]): Promise<CommandResult> {
    this.calls.push([command, ...args].join(' '));
    if (command === 'id') {
      const uid = this.uids[args[1]];
      return uid === undefined
        ? { code: 1, stdout: '', stderr: 'no such user' }
        : { code: 0, stdout: `${uid}\n`, stderr: '' };
    }
    if (command === 'pkill') return { code: 1, stdout: '', stderr: '' }; // no processes
    return { code: 0, stdout: '', stderr: '' };
  }

  async writeFile(path: string, content: string, mode: number): Promise<void> {
    this.calls.push(`write ${path} ${mode.toString(8)}`);
    this.files.set(path, { content, mode });
  }
}
