import { spawn, StdioOptions } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { constants } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { ApiClient } from './api-client';
import type { Access, WorkerInfo } from './api-types';
import { configDir } from './config';
import type { Context } from './context';
import { followEvents } from './event-stream';
import { CliError, ExitCode } from './exit-codes';
import { onInterrupt } from './interrupts';
import { TempKeyFile } from './job-key';
import { when } from './output';

/** How a board command reaches the board, from the acquire answer. */
export interface BoardTarget {
  access: Access;
  /** `-i` and friends for ssh and scp (without the port option, which differs). */
  authOptions: string[];
  /** Where `ssh` connects: user@host, the port, and (system mode) the hop to the agent. */
  destination: string;
  port: number;
  hopOptions: string[];
  release(): void;
}

export interface TargetOptions {
  /** The tester's own private key (for a request filed with --key). */
  identity?: string;
  /** System access mode: the agent's SSH port on the board, one hop behind its OpenSSH. */
  agentPort?: number;
  /** Board commands (console, power, flash) go to the agent, not to the board's shell. */
  boardCommand?: boolean;
}

/**
 * Acquires the job and builds OpenSSH's options: the job key in a 0600 temp file (or the
 * tester's own key), host keys remembered per worker in leshy's own known_hosts (the tunnel's
 * port is new for every job, so ~/.ssh/known_hosts would never match).
 */
export async function boardTarget(
  ctx: Context,
  client: ApiClient,
  id: number,
  options: TargetOptions = {},
): Promise<BoardTarget> {
  const access = await client.post<Access>(`/api/v2/requests/${id}/acquire`);
  const key = access.privateKey ? new TempKeyFile(access.privateKey) : null;
  const identity = key?.path ?? options.identity;
  const dir = configDir(ctx.env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const authOptions = [
    ...(identity ? ['-i', identity, '-o', 'IdentitiesOnly=yes'] : []),
    '-o',
    `UserKnownHostsFile=${path.join(dir, 'known_hosts')}`,
    '-o',
    'StrictHostKeyChecking=accept-new',
    '-o',
    `HostKeyAlias=leshy-worker-${access.workerUuid}`,
    '-o',
    'LogLevel=ERROR',
    '-o',
    'ServerAliveInterval=30',
  ];
  let destination = `${access.username}@${access.tunnel.host}`;
  let port = access.tunnel.port;
  let hopOptions: string[] = [];
  if (options.boardCommand && (await accessMode(client, access.workerUuid)) === 'system') {
    // System mode: the tunnel reaches the board's OpenSSH; board commands are on the agent's
    // port behind it (dryad-agent's README, "Board commands in system mode").
    const hop = [sshBinary(ctx), ...authOptions, '-p', String(port), '-W', '%h:%p', destination]
      .map(shellQuote)
      .join(' ');
    hopOptions = [
      '-o',
      `ProxyCommand=${hop}`,
      '-o',
      `HostKeyAlias=leshy-agent-${access.workerUuid}`,
    ];
    destination = `${access.username}@127.0.0.1`;
    port = options.agentPort ?? 2222;
  }
  return { access, authOptions, destination, port, hopOptions, release: () => key?.remove() };
}

async function accessMode(client: ApiClient, uuid: string): Promise<string> {
  try {
    return (await client.get<WorkerInfo>(`/api/v2/workers/${uuid}`)).accessMode;
  } catch {
    return 'embedded';
  }
}

export function sshBinary(ctx: Context): string {
  return ctx.env.LESHY_SSH || 'ssh';
}
export function scpBinary(ctx: Context): string {
  return ctx.env.LESHY_SCP || 'scp';
}

/** The argv of `ssh` running `command` (none: a login shell) on the target. */
export function sshArgs(
  target: BoardTarget,
  command: string[],
  options: { tty?: boolean } = {},
): string[] {
  return [
    ...target.authOptions,
    ...target.hopOptions,
    ...(options.tty === true ? ['-t'] : options.tty === false ? ['-T'] : []),
    '-p',
    String(target.port),
    target.destination,
    ...(command.length ? ['--', ...command] : []),
  ];
}

export interface RunOptions {
  stdin?: Readable | 'inherit' | 'ignore';
  /** Capture stdout/stderr (for --json) instead of passing them through. */
  capture?: boolean;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs OpenSSH (or scp) as a child with the terminal, and its exit status as ours. Ctrl-C goes
 * to ssh (it shares our terminal), not to us: we wait for it, then clean up.
 */
export function runOpenSsh(
  binary: string,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const stdio: StdioOptions = [
    options.stdin === undefined || options.stdin === 'inherit'
      ? 'inherit'
      : options.stdin === 'ignore'
        ? 'ignore'
        : 'pipe',
    options.capture ? 'pipe' : 'inherit',
    options.capture ? 'pipe' : 'inherit',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio });
    let stdout = '';
    let stderr = '';
    // On a terminal ssh gets Ctrl-C itself (or passes it to the board); a SIGINT sent to us
    // alone (a CI runner cancelling) is passed on, and we end when ssh has.
    const releaseInterrupt = onInterrupt(() => {
      if (!process.stdin.isTTY) child.kill('SIGINT');
    });
    // Ended ourselves (SIGTERM, SIGHUP): ssh goes too, and the key file after it (job-key.ts).
    const endChild = () => child.kill('SIGTERM');
    process.once('exit', endChild);
    const release = () => {
      releaseInterrupt();
      process.removeListener('exit', endChild);
    };
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    if (options.stdin && typeof options.stdin === 'object') {
      options.stdin.pipe(child.stdin!);
      child.stdin!.on('error', () => undefined); // ssh ended before reading it all
    }
    child.once('error', (error: NodeJS.ErrnoException) => {
      release();
      reject(
        error.code === 'ENOENT'
          ? new CliError(
              `"${binary}" was not found`,
              ExitCode.Failed,
              'install OpenSSH (the ssh and scp commands), or set LESHY_SSH / LESHY_SCP',
            )
          : error,
      );
    });
    child.once('close', (code, signal) => {
      release();
      resolve({
        exitCode: code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 127),
        stdout,
        stderr,
      });
    });
  });
}

/**
 * Prints a warning on stderr when the job is about to time out (the server's job.expiring
 * event), with the command that keeps it. Runs until the returned function is called.
 */
export function warnBeforeExpiry(ctx: Context, client: ApiClient, id: number): () => void {
  const stop = new AbortController();
  void followEvents(client, {
    query: { request: String(id), types: 'job.expiring' },
    signal: stop.signal,
    onEvent: ({ event, data }) => {
      if (event !== 'job.expiring') return;
      const job = (data.job ?? (data.request as { job?: unknown } | undefined)?.job) as
        { timeoutAt?: string } | undefined;
      ctx.io.stderr.write(
        `\r\nleshy: job ${id} ends ${job?.timeoutAt ? when(job.timeoutAt) : 'soon'}; run "leshy prolong ${id}" to keep it\r\n`,
      );
    },
  }).catch(() => undefined);
  return () => stop.abort();
}

/** Quotes a word for the shell OpenSSH runs ProxyCommand with. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
