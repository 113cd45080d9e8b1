import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait-for';

const AGENT_ROOT = join(__dirname, '..', '..');

/** The dryad-agent CLI from source, as a child process whose output tests can wait on. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private exit: Promise<number | null>;

  constructor(args: string[], cwd = AGENT_ROOT) {
    this.child = spawn(
      process.execPath,
      [
        '-r',
        join(AGENT_ROOT, 'src/testing/swc-register.js'),
        join(AGENT_ROOT, 'src/cli.ts'),
        ...args,
      ],
      {
        cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    this.child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exit = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  waitForOutput(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return waitFor(
      () => pattern.exec(this.stdout),
      `${pattern} on stdout (stdout: ${this.stdout.slice(-300)} stderr: ${this.stderr.slice(-300)})`,
      timeoutMs,
      10,
    );
  }

  send(line: string): void {
    this.child.stdin!.write(line + '\n');
  }

  exited(): Promise<number | null> {
    return this.exit;
  }

  /** Stops it by its own pid and waits. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exit;
  }
}
