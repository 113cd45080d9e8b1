import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The server's built entry points, beside this file's own folder in dist/src. */
const DIST_SRC = path.resolve(__dirname, '..');
const MAIN = path.join(DIST_SRC, 'main.js');
const ADMIN_CLI = path.join(DIST_SRC, 'cli', 'admin.js');

/**
 * The environment of the demo's server and admin CLI: the caller's, without any LESHY_* of
 * the shell (a developer's LESHY_DATABASE_URL must not point the demo at a real database).
 */
export function demoEnvironment(vars: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('LESHY_')),
  );
  return { ...inherited, ...vars };
}

/**
 * `npm run admin -- bootstrap --name NAME` on the demo's data dir, before the server runs:
 * the server's own way to make the first admin. Resolves with the token it prints once.
 */
export function bootstrapAdmin(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ADMIN_CLI, 'bootstrap', '--name', name], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const token = out.trim().split('\n').pop()?.trim();
      if (code === 0 && token) resolve(token);
      else reject(new Error(`the admin CLI failed (exit ${code}):\n${out}`));
    });
  });
}

/** The server as a child process whose output goes to a log file in the data dir. */
export class ServerChild {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(
    env: NodeJS.ProcessEnv,
    readonly logFile: string,
  ) {
    const log = createWriteStream(logFile, { flags: 'a' });
    this.child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.pipe(log);
    this.child.stderr!.pipe(log);
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The end of the server's log, for a message when it did not start. */
  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no server output)';
    }
  }

  /** Resolves once GET `url` answers 200; rejects when the server exits first or time runs out. */
  async waitUntilReady(url: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`the server exited:\n${this.tail()}`);
      const status = await fetch(url).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `the server did not answer ${url} within ${timeoutMs / 1000} s:\n${this.tail()}`,
    );
  }

  /** SIGTERM by PID, then SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** At once, for a demo process on its way out. */
  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}
