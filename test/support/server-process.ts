import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { repoRoot } from './repo-root';
import { tempDir } from './temp-dir';
import { waitFor } from './wait-for';

const MAIN = path.join(repoRoot(), 'dist/src/main.js');

export interface ServerProcessOptions {
  /** Extra LESHY_* variables (the data dir, address and a small key pool are set already). */
  env?: Record<string, string>;
  /** Reuse a data dir (restart on the same database); default: a fresh temp dir, removed at stop. */
  dataDir?: string;
  /** How long start-up may take until /health answers 200. */
  readyTimeoutMs?: number;
  /** Listen on this port (a restart where clients and agents know the address); default: a free one. */
  port?: number;
}

/** A real `node dist/src/main.js` on 127.0.0.1 and a free port. */
export interface ServerProcess {
  readonly baseUrl: string;
  readonly port: number;
  readonly pid: number;
  readonly dataDir: string;
  /** Everything the server printed so far (stdout and stderr), for failure messages. */
  logs(): string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
// A test runner that dies (or a suite that forgets stop()) must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port nobody listens on right now (the kernel's choice; a race is possible, see start()). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts the built server with its own data dir and environment (inherited LESHY_* variables
 * are dropped, so a developer's shell cannot change what a suite sees) and resolves once
 * /health answers 200. Needs `npm run build` first.
 */
export async function startServer(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      // Another process may take the free port between freePort() and the server's bind; a
      // given port is the killed predecessor's, which the kernel frees a moment after its exit.
      if (attempt < 3 && /EADDRINUSE/.test((error as Error).message)) {
        if (options.port) await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      throw error;
    }
  }
}

async function startOnce(options: ServerProcessOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const dir = options.dataDir ? null : tempDir('leshy-e2e-');
  const dataDir = options.dataDir ?? dir!.path;
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('LESHY_')),
  );
  const child = spawn(process.execPath, [MAIN], {
    cwd: repoRoot(),
    env: {
      ...inherited,
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      LESHY_HTTP_ADDR: `127.0.0.1:${port}`,
      LESHY_DATA_DIR: dataDir,
      LESHY_KEY_POOL: '2',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = exited(child).then(() => running.delete(child));
  const baseUrl = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | null = null;
  const server: ServerProcess = {
    baseUrl,
    port,
    pid: child.pid!,
    dataDir,
    logs: () => output,
    stop: (graceMs = 5_000) => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          process.kill(child.pid!, 'SIGTERM');
          const timer = setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null)
              process.kill(child.pid!, 'SIGKILL');
          }, graceMs);
          await exit;
          clearTimeout(timer);
        }
        dir?.remove();
      })();
      return stopping;
    },
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`server exited (${child.exitCode ?? child.signalCode})`);
        }
        const response = await fetch(`${baseUrl}/health`).catch(() => null);
        return response?.status === 200;
      },
      'the server to answer /health',
      options.readyTimeoutMs ?? 30_000,
    );
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n--- server output ---\n${output}`, {
      cause: error,
    });
  }
  return server;
}
