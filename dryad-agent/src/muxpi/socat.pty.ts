import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Duplex } from 'node:stream';

/**
 * A pseudo-terminal pair made by socat: the slave side appears at `linkPath` (what the agent
 * opens as its serial device), the master side is relayed to socat's stdin/stdout, which
 * `stream` exposes. Node cannot open ptys by itself; socat is the one tool every lab has.
 * Killing socat removes the link, which the agent sees as the device disappearing.
 */
export class SocatPty {
  private child: ChildProcess | null = null;
  private exitPromise: Promise<void> | null = null;
  readonly stream: Duplex;
  private readonly readable = new Duplex({
    read() {},
    write: (chunk: Buffer, _encoding, callback) => {
      const stdin = this.child?.stdin;
      if (stdin && !stdin.destroyed) stdin.write(chunk, () => callback());
      else callback();
    },
  });

  constructor(
    readonly linkPath: string,
    private readonly socatPath = 'socat',
  ) {
    this.stream = this.readable;
  }

  /** Starts socat and resolves once the link exists. */
  async start(timeoutMs = 5000): Promise<void> {
    if (this.child) throw new Error(`socat for ${this.linkPath} is already running`);
    if (existsSync(this.linkPath)) {
      throw new Error(`${this.linkPath} already exists: remove it or choose another path`);
    }
    const child = spawn(this.socatPath, ['-d', `pty,raw,echo=0,link=${this.linkPath}`, 'STDIO'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.stdout?.on('data', (d: Buffer) => this.readable.push(d));
    child.stdout?.on('end', () => this.readable.push(null));
    child.stdin?.on('error', () => undefined);
    this.exitPromise = new Promise((resolve) => child.once('exit', () => resolve()));
    const spawnError = new Promise<never>((_, reject) =>
      child.once('error', (e) =>
        reject(
          new Error(`cannot run socat (${e.message}): install it, e.g. apt-get install socat`),
        ),
      ),
    );
    const deadline = Date.now() + timeoutMs;
    const appeared = (async () => {
      while (!existsSync(this.linkPath)) {
        if (child.exitCode !== null)
          throw new Error(`socat exited (${child.exitCode}): ${stderr.trim()}`);
        if (Date.now() > deadline)
          throw new Error(`socat did not create ${this.linkPath} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await Promise.race([appeared, spawnError]);
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves when socat has exited (and so the link is gone). */
  onExit(): Promise<void> {
    return this.exitPromise ?? Promise.resolve();
  }

  /** Stops socat (by its own pid) and waits for it, which removes the link. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (this.running) child.kill('SIGTERM');
    await this.exitPromise;
    this.child = null;
  }
}
