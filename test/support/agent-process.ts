import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from './repo-root';
import { waitFor } from './wait-for';

const CLI = path.join(repoRoot(), 'dryad-agent/bin/dryad-agent.js');

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A real `dryad-agent …` process (built CLI), with its output kept for waits and failure messages. */
export interface AgentProcess {
  readonly pid: number;
  output(): string;
  /** Resolves when the output (stdout or stderr) matches. */
  waitForOutput(pattern: RegExp, what: string, timeoutMs?: number): Promise<void>;
  /** Writes one line to its stdin and resolves with the next line it prints that answers it. */
  command(line: string): Promise<string>;
  /** Resolves with the exit code once the process has ended by itself. */
  exitCode(): Promise<number | null>;
  /** Sends `signal` (SIGTERM by default; SIGKILL after a grace time) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Where the agent runs when not as a plain child: inside a sandbox (see system-sandbox.ts),
 * whose launcher forks, so signals go to the agent's own pid.
 */
export interface AgentLauncher {
  spawn(command: string, args: string[]): ChildProcess;
  innerPid(child: ChildProcess): Promise<number>;
}

export function startAgentProcess(args: string[], launcher?: AgentLauncher): AgentProcess {
  const child = launcher
    ? launcher.spawn(process.execPath, [CLI, ...args])
    : spawn(process.execPath, [CLI, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      });
  const signal = async (name: NodeJS.Signals) =>
    launcher ? process.kill(await launcher.innerPid(child), name) : child.kill(name);
  running.add(child);
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve())).then(() =>
    running.delete(child),
  );
  return {
    pid: child.pid!,
    output: () => output,
    waitForOutput: (pattern, what, timeoutMs = 20_000) =>
      waitFor(
        () => pattern.test(output),
        `${what}\n--- agent output ---\n${output.slice(-3000)}`,
        timeoutMs,
      ).then(() => undefined),
    command: async (line) => {
      const before = stdout.length;
      child.stdin!.write(`${line}\n`);
      await waitFor(
        () => /^(ok|error)/m.test(stdout.slice(before)),
        `an answer to "${line}"`,
        10_000,
      );
      return stdout
        .slice(before)
        .split('\n')
        .find((l) => /^(ok|error)/.test(l))!;
    },
    exitCode: () => exited.then(() => child.exitCode),
    stop: async (name = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        await signal(name);
        // In system mode a stop removes the job user (kill, sweep): give it longer.
        const graceMs = launcher ? 20_000 : 5_000;
        const timer = setTimeout(() => void signal('SIGKILL').catch(() => undefined), graceMs);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** The arguments of `dryad-agent fleet`: `count` simulated boards with `caps`, on free ports. */
export function fleetArgs(options: {
  count: number;
  serverUrl: string;
  token: string;
  caps: string;
  dataDir: string;
}): string[] {
  return [
    'fleet',
    ...['--count', String(options.count), '--server', options.serverUrl],
    ...['--token', options.token, '--caps', options.caps, '--base-port', '0'],
    ...['--data-dir', options.dataDir],
  ];
}
