import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from './repo-root';

const BIN = path.join(repoRoot(), 'bin/leshy.js');

export interface LeshyResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * The environment of a `leshy` run: the test's PATH and nothing of the developer's LESHY_* or
 * config (HOME and XDG_CONFIG_HOME point into the caller's temp dir).
 */
export function leshyEnvironment(
  home: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    NO_COLOR: '1',
    ...extra,
  };
}

/** Runs the built `leshy` (bin/leshy.js) to its end; `input` goes to its stdin. */
export function runLeshyProcess(
  args: string[],
  env: Record<string, string>,
  options: { input?: string | Buffer; timeoutMs?: number } = {},
): Promise<LeshyResult> {
  const child = startLeshyProcess(args, env);
  if (options.input !== undefined) child.stdin!.end(options.input);
  else child.stdin!.end();
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  return new Promise((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code: code ?? (signal === 'SIGKILL' ? -9 : null), stdout, stderr });
    }),
  );
}

/** A `leshy` process left running (watch, a wait to interrupt); stop it with kill(). */
export function startLeshyProcess(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}
