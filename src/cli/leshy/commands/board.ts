import { Command, InvalidArgumentError } from 'commander';
import { createReadStream, statSync } from 'node:fs';
import { Transform } from 'node:stream';
import { parseDurationArg, parseRequestId } from '../arguments';
import type { ApiClient } from '../api-client';
import {
  boardTarget,
  BoardTarget,
  runOpenSsh,
  RunOptions,
  scpBinary,
  sshArgs,
  sshBinary,
  TargetOptions,
  warnBeforeExpiry,
} from '../board-ssh';
import type { Context } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { emit, formatBytes } from '../output';
import { act, command, CommonOptions } from './define';

interface BoardOptions extends CommonOptions {
  identity?: string;
  agentPort?: number;
}

/** Options every board command has. */
function boardOptions(cmd: Command): Command {
  return cmd
    .option(
      '-i, --identity <file>',
      'your own private key, for a request filed with --key (default: ssh-agent and ~/.ssh)',
    )
    .option('--agent-port <port>', "system access mode: the agent's SSH port on the board", (v) => {
      const port = Number(v);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new InvalidArgumentError('not a TCP port');
      return port;
    });
}

/**
 * Acquires the job, runs one OpenSSH command through the tunnel with expiry warnings on the
 * terminal, and removes the key file after. Returns ssh's exit status.
 */
export async function onBoard<T>(
  ctx: Context,
  client: ApiClient,
  id: number,
  options: TargetOptions,
  run: (target: BoardTarget) => Promise<T>,
): Promise<T> {
  const target = await boardTarget(ctx, client, id, options);
  const stopWarnings = warnBeforeExpiry(ctx, client, id);
  try {
    return await run(target);
  } finally {
    stopWarnings();
    target.release();
  }
}

/** ssh with --json: the output captured and reported with the exit status. */
async function runOnBoard(
  ctx: Context,
  target: BoardTarget,
  command: string[],
  options: CommonOptions & { tty?: boolean; stdin?: RunOptions['stdin'] },
): Promise<number> {
  const result = await runOpenSsh(sshBinary(ctx), sshArgs(target, command, { tty: options.tty }), {
    stdin: options.stdin,
    capture: options.json,
  });
  if (options.json) emit(ctx.io, true, result, () => '');
  return result.exitCode;
}

/** ssh, console, scp, power, flash: the board of a running job, through the server's tunnel. */
export function registerBoardCommands(program: Command, ctx: Context): void {
  boardOptions(
    command(
      program,
      'ssh <id> [command...]',
      "an SSH session on the job's board, or one command (after --)",
    ),
  )
    .addHelpText(
      'after',
      "\nExample: leshy ssh 42 -- power tick 2000\nExits with the command's status (ssh's own errors: 255).",
    )
    .action(
      act(ctx, async (idText: string, words: string[], options: BoardOptions) => {
        const id = parseRequestId(idText);
        const client = ctx.client();
        return onBoard(ctx, client, id, toTarget(options, words.length > 0), (target) =>
          runOnBoard(ctx, target, words, options),
        );
      }),
    );

  boardOptions(
    command(
      program,
      'console <id>',
      "the board's serial console (~. leaves; piped input: a script)",
    ),
  )
    .option(
      '--linger <duration>',
      'with piped input: exit once the console was quiet this long (e.g. 2s)',
      parseDurationArg,
    )
    .addHelpText(
      'after',
      `
Examples:
  leshy console 42                          interactive; ~. leaves (the job stays)
  echo 'uname -a' | leshy console 42        a script: prints the answer, ends when quiet`,
    )
    .action(
      act(ctx, async (idText: string, options: BoardOptions & { linger?: number }) => {
        const id = parseRequestId(idText);
        const client = ctx.client();
        const words = [
          'console',
          ...(options.linger !== undefined ? ['--linger', `${options.linger}ms`] : []),
        ];
        return onBoard(ctx, client, id, toTarget(options, true), (target) =>
          runOnBoard(ctx, target, words, {
            ...options,
            tty: Boolean(process.stdin.isTTY) && !options.json,
          }),
        );
      }),
    );

  boardOptions(
    command(
      program,
      'scp <source> <target>',
      'copy a file to or from the job workspace: FILE ID:PATH or ID:PATH FILE',
    ),
  )
    .option('-r, --recursive', 'copy directories')
    .action(
      act(
        ctx,
        async (
          source: string,
          destination: string,
          options: BoardOptions & { recursive?: boolean },
        ) => {
          const remote = [source, destination].map((s) => /^(\d+):(.*)$/.exec(s));
          if (Boolean(remote[0]) === Boolean(remote[1])) {
            throw new CliError(
              "scp: exactly one of the two must be ID:PATH (the job's workspace)",
              ExitCode.Usage,
              'e.g. leshy scp build.tar 42:  or  leshy scp 42:results.txt .',
            );
          }
          const id = parseRequestId((remote[0] ?? remote[1])![1]);
          const client = ctx.client();
          return onBoard(ctx, client, id, toTarget(options, false), async (target) => {
            const remotePath = (r: RegExpExecArray) => `${target.destination}:${r[2]}`;
            const args = [
              ...target.authOptions,
              ...target.hopOptions,
              ...(options.recursive ? ['-r'] : []),
              '-P',
              String(target.port),
              remote[0] ? remotePath(remote[0]) : source,
              remote[1] ? remotePath(remote[1]) : destination,
            ];
            const result = await runOpenSsh(scpBinary(ctx), args, {
              capture: options.json,
              stdin: 'ignore',
            });
            if (options.json) emit(ctx.io, true, result, () => '');
            return result.exitCode;
          });
        },
      ),
    );

  boardOptions(
    command(
      program,
      'power <id> [action] [ms]',
      "the DUT's power: on, off, tick [MS] (off, wait, on); no action: print it",
    ),
  ).action(
    act(
      ctx,
      async (
        idText: string,
        action: string | undefined,
        ms: string | undefined,
        options: BoardOptions,
      ) => {
        const id = parseRequestId(idText);
        if (action !== undefined && !['on', 'off', 'tick'].includes(action)) {
          throw new CliError(`power: "${action}" is not on, off or tick`, ExitCode.Usage);
        }
        if (ms !== undefined && (action !== 'tick' || !/^\d+$/.test(ms))) {
          throw new CliError(
            'power: only "tick" takes a time, in whole milliseconds',
            ExitCode.Usage,
          );
        }
        const client = ctx.client();
        const words = ['power', ...(action ? [action] : []), ...(ms ? [ms] : [])];
        return onBoard(ctx, client, id, toTarget(options, true), async (target) => {
          const result = await runOpenSsh(sshBinary(ctx), sshArgs(target, words, { tty: false }), {
            stdin: 'ignore',
            capture: true,
          });
          const power = result.stdout.trim();
          if (options.json)
            emit(ctx.io, true, { ...result, ...(action ? {} : { power }) }, () => '');
          else {
            if (result.stdout) ctx.io.stdout.write(result.stdout);
            if (result.stderr) ctx.io.stderr.write(result.stderr);
          }
          return result.exitCode;
        });
      },
    ),
  );

  boardOptions(
    command(
      program,
      'flash <id> <image>',
      "write an image to the board's SD card, then boot the DUT from it",
    ),
  )
    .option('--no-boot', 'leave the card on the board side and the DUT off')
    .action(
      act(ctx, async (idText: string, image: string, options: BoardOptions & { boot: boolean }) => {
        const id = parseRequestId(idText);
        let size: number;
        try {
          size = statSync(image).size;
        } catch (error) {
          throw new CliError(`cannot read ${image}: ${(error as Error).message}`, ExitCode.Usage);
        }
        const client = ctx.client();
        return onBoard(ctx, client, id, toTarget(options, true), (target) =>
          flash(ctx, target, image, size, options),
        );
      }),
    );
}

function toTarget(options: BoardOptions, boardCommand: boolean): TargetOptions {
  return { identity: options.identity, agentPort: options.agentPort, boardCommand };
}

/** `ts`, then `flash` with the image on stdin and a progress bar, then `dut` (unless --no-boot). */
async function flash(
  ctx: Context,
  target: BoardTarget,
  image: string,
  size: number,
  options: BoardOptions & { boot: boolean },
): Promise<number> {
  const step = (words: string[]) =>
    runOpenSsh(sshBinary(ctx), sshArgs(target, words, { tty: false }), {
      stdin: 'ignore',
      capture: true,
    });
  const failed = (what: string, result: { exitCode: number; stderr: string }) => {
    if (options.json) emit(ctx.io, true, { step: what, ...result }, () => '');
    else ctx.io.stderr.write(result.stderr || `leshy: ${what} failed (exit ${result.exitCode})\n`);
    return result.exitCode || ExitCode.Failed;
  };
  const ts = await step(['ts']);
  if (ts.exitCode !== 0) return failed('ts', ts);
  const bar = new ByteProgress(ctx, size);
  const counted = createReadStream(image).pipe(bar.counter());
  const written = await runOpenSsh(sshBinary(ctx), sshArgs(target, ['flash'], { tty: false }), {
    stdin: counted,
    capture: true,
  });
  bar.done();
  if (written.exitCode !== 0) return failed('flash', written);
  const boot = options.boot ? await step(['dut']) : null;
  if (boot && boot.exitCode !== 0) return failed('dut', boot);
  const message = written.stdout.trim();
  emit(
    ctx.io,
    Boolean(options.json),
    { bytes: size, image, booted: options.boot, output: message },
    () =>
      `${message || `flash: wrote ${size} bytes`}${options.boot ? '\nDUT powered on from the SD card' : ''}`,
  );
  return 0;
}

/** A progress bar of bytes sent, on a terminal; plain lines every 10% otherwise. */
class ByteProgress {
  private sent = 0;
  private lastShown = -1;

  constructor(
    private readonly ctx: Context,
    private readonly total: number,
  ) {}

  counter(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.sent += chunk.length;
        this.show();
        callback(null, chunk);
      },
    });
  }

  done(): void {
    this.show(true);
    if (this.ctx.io.stderr.isTTY) this.ctx.io.stderr.write('\n');
  }

  private show(final = false): void {
    const percent = this.total ? Math.floor((this.sent * 100) / this.total) : 100;
    const tty = Boolean(this.ctx.io.stderr.isTTY);
    if (!tty && !final && Math.floor(percent / 10) === Math.floor(this.lastShown / 10)) return;
    if (tty && percent === this.lastShown && !final) return;
    this.lastShown = percent;
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    const text = `flash [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${formatBytes(this.sent)} of ${formatBytes(this.total)}`;
    this.ctx.io.stderr.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
  }
}
