import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { createInterface } from 'node:readline/promises';
import {
  parseCaps,
  parseDurationArg,
  parsePriority,
  parseRequestId,
  parseStates,
  parseTimeArg,
} from '../arguments';
import type { ApiClient } from '../api-client';
import type { Explanation, RequestInfo, WorkerInfo } from '../api-types';
import { runOpenSsh, sshArgs, sshBinary } from '../board-ssh';
import type { Context } from '../context';
import { followEvents } from '../event-stream';
import { CliError, ExitCode } from '../exit-codes';
import { onInterrupt } from '../interrupts';
import { emit, formatSpan } from '../output';
import { listAll } from '../pages';
import { ProgressLine } from '../progress';
import { waitForRequest } from '../request-waiter';
import {
  endedText,
  eventLine,
  explanationText,
  requestDetails,
  requestsTable,
  startedText,
} from '../views';
import { onBoard } from './board';
import { act, command, CommonOptions, limitOption } from './define';

interface RequestOptions extends CommonOptions {
  caps?: Record<string, unknown>;
  priority?: number;
  deadline?: string;
  after?: string;
  key?: string;
  wait?: boolean;
  timeout?: number;
  idempotencyKey?: string;
}

/** request, reserve, list, show, explain, prolong, close, watch: a tester's requests. */
export function registerRequestCommands(program: Command, ctx: Context): void {
  requestOptions(command(program, 'request', 'file a request for a board (--wait: until it runs)'))
    .option('--wait', 'wait until the job runs (or the request ends), showing the queue position')
    .addHelpText(
      'after',
      `
Examples:
  leshy request --caps board=rpi4 --wait
  leshy request --caps board=rpi4,arch=arm64 --priority 4 --deadline 2h --key ~/.ssh/id_ed25519.pub
  ID=$(leshy request --caps board=rpi4 --wait --timeout 30m --json | jq .id)   # in CI
--wait exits 0 once the job runs, 9 if the request ended otherwise, 7 at --timeout.`,
    )
    .action(act(ctx, async (options: RequestOptions) => (await fileRequest(ctx, options)).code));

  requestOptions(
    command(
      program,
      'reserve',
      'request --wait, then open a session on the board (closing it keeps the job)',
    ),
  )
    .option('-i, --identity <file>', 'your own private key (with --key)')
    .action(
      act(ctx, async (options: RequestOptions & { identity?: string }) => {
        const { code, id } = await fileRequest(ctx, { ...options, wait: true });
        if (code !== 0 || options.json) return code;
        return openSession(ctx, ctx.client(), id, options.identity);
      }),
    );

  limitOption(command(program, 'list', 'list requests (newest first)'))
    .option('--mine', 'only your requests')
    .option('--owner <name>', 'only the requests of this user')
    .option('--state <states>', 'only these states, e.g. waiting,in-progress', parseStates)
    .option('--worker <uuid>', 'only jobs on this worker')
    .action(
      act(
        ctx,
        async (
          options: CommonOptions & {
            mine?: boolean;
            owner?: string;
            state?: string;
            worker?: string;
            limit: number;
          },
        ) => {
          const requests = await listAll<RequestInfo>(
            ctx.client(),
            '/api/v2/requests',
            {
              owner: options.mine ? 'me' : options.owner,
              state: options.state,
              worker: options.worker,
              sort: '-id',
            },
            options.limit,
          );
          emit(ctx.io, Boolean(options.json), requests, () => requestsTable(requests));
        },
      ),
    );

  command(program, 'show <id>', 'one request: state, caps, job, how it ended').action(
    act(ctx, async (idText: string, options: CommonOptions) => {
      const id = parseRequestId(idText);
      const request = await ctx.client().get<RequestInfo>(`/api/v2/requests/${id}`);
      emit(ctx.io, Boolean(options.json), request, () => requestDetails(request));
    }),
  );

  command(
    program,
    'explain <id>',
    "why a request waits: its queue position and each worker's reason",
  ).action(
    act(ctx, async (idText: string, options: CommonOptions) => {
      const id = parseRequestId(idText);
      const explanation = await ctx.client().get<Explanation>(`/api/v2/requests/${id}/explain`);
      emit(ctx.io, Boolean(options.json), explanation, () => explanationText(explanation));
    }),
  );

  command(program, 'prolong <id>', "start the job's timeout again from now").action(
    act(ctx, async (idText: string, options: CommonOptions) => {
      const id = parseRequestId(idText);
      const request = await ctx.client().post<RequestInfo>(`/api/v2/requests/${id}/prolong`);
      emit(
        ctx.io,
        Boolean(options.json),
        request,
        () => `request ${id}: the job now ends at ${request.job?.timeoutAt ?? '?'}`,
      );
    }),
  );

  command(program, 'close <id>', 'cancel a waiting request, or end a running job').action(
    act(ctx, async (idText: string, options: CommonOptions) => {
      const id = parseRequestId(idText);
      const request = await ctx.client().post<RequestInfo>(`/api/v2/requests/${id}/close`);
      emit(ctx.io, Boolean(options.json), request, () => `request ${id} ${request.state}`);
    }),
  );

  command(
    program,
    'watch [id]',
    "the event stream as lines (one request's, or everything you may see); Ctrl-C ends",
  )
    .option('--worker <uuid>', "only this worker's events")
    .option('--types <types>', 'only these event types, e.g. job.*,request.state-changed')
    .option('--since <eventId>', 'first replay the events after this id')
    .action(
      act(
        ctx,
        async (
          idText: string | undefined,
          options: CommonOptions & { worker?: string; types?: string; since?: string },
        ) => {
          const id = idText === undefined ? undefined : parseRequestId(idText);
          const stop = new AbortController();
          const release = onInterrupt(() => stop.abort());
          try {
            await followEvents(ctx.client(), {
              query: {
                request: id?.toString(),
                worker: options.worker,
                types: options.types,
                since: options.since,
              },
              signal: stop.signal,
              onEvent: ({ event, data }) =>
                ctx.io.stdout.write(
                  (options.json ? JSON.stringify({ event, ...data }) : eventLine(event, data)) +
                    '\n',
                ),
              onReconnect: () => ctx.io.stderr.write('leshy: the event stream dropped; resuming\n'),
            });
          } finally {
            release();
          }
        },
      ),
    );
}

function requestOptions(cmd: Command): Command {
  return cmd
    .requiredOption(
      '--caps <caps>',
      'what the board must have: board=rpi4,arch=arm64|armv7,ram_gb>=4,ram_gb<=16,rev!=a (docs/caps.md)',
      (v, prev) => parseCaps(v, prev as Record<string, unknown> | undefined),
    )
    .option('--priority <n>', '1 (highest) … 16 (lowest); default 8', parsePriority)
    .option('--deadline <when>', 'give up waiting then: a duration from now (2h) or a time', (v) =>
      parseTimeArg(v),
    )
    .option('--after <when>', 'not before: a duration from now (10m) or a time', (v) =>
      parseTimeArg(v),
    )
    .option(
      '--key <file>',
      'your public key (e.g. ~/.ssh/id_ed25519.pub): log in with your own key, no job key is sent',
    )
    .option(
      '--timeout <duration>',
      'with --wait: give up waiting after this long (exit 7), the request stays',
      parseDurationArg,
    )
    .option(
      '--idempotency-key <key>',
      'filing again with the same key answers the same request (safe retries)',
    );
}

/** Files the request (and with --wait waits for it); the exit code and the request's id. */
async function fileRequest(
  ctx: Context,
  options: RequestOptions,
): Promise<{ code: number; id: number }> {
  const client = ctx.client();
  const body: Record<string, unknown> = { caps: options.caps };
  if (options.priority !== undefined) body.priority = options.priority;
  if (options.deadline) body.deadline = options.deadline;
  if (options.after) body.validAfter = options.after;
  if (options.key) body.publicKey = readPublicKey(options.key);
  const request = await client.post<RequestInfo>('/api/v2/requests', body, {
    headers: options.idempotencyKey ? { 'Idempotency-Key': options.idempotencyKey } : {},
  });
  if (!options.wait) {
    emit(ctx.io, Boolean(options.json), request, () =>
      [
        `request ${request.id} ${request.state}`,
        request.unservable ? `warning: ${request.unservable}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
    return { code: 0, id: request.id };
  }
  ctx.io.stderr.write(`request ${request.id} filed\n`);
  return { code: await waitUntilRunning(ctx, client, request.id, options), id: request.id };
}

/**
 * Waits for IN PROGRESS with a live progress line. Ctrl-C asks whether to cancel the request
 * (on a terminal); elsewhere it leaves the request as it is.
 */
async function waitUntilRunning(
  ctx: Context,
  client: ApiClient,
  id: number,
  options: RequestOptions,
): Promise<number> {
  const interrupted = new AbortController();
  const progress = new ProgressLine(ctx.io);
  const release = onInterrupt(() => interrupted.abort());
  let outcome;
  try {
    outcome = await waitForRequest(client, id, {
      states: ['IN PROGRESS'],
      timeoutMs: options.timeout,
      signal: interrupted.signal,
      progress,
      onExpiring: () =>
        progress.note(`leshy: job ${id} is about to time out; run "leshy prolong ${id}"`),
    });
  } catch (error) {
    if (!interrupted.signal.aborted) throw error;
    progress.stop();
    return askToCancel(ctx, client, id);
  } finally {
    release();
  }
  const { request, result } = outcome;
  // With --json the request goes into the error object: stdout holds one JSON document.
  if (result === 'timeout') {
    throw new CliError(
      `request ${id} is still ${request.state} after ${formatSpan(options.timeout ?? 0)} of waiting; it stays queued`,
      ExitCode.TimedOut,
      `leshy explain ${id} says why; leshy close ${id} cancels it`,
      { request },
    );
  }
  if (result === 'unreachable') {
    throw new CliError(
      `request ${id} ended ${request.state}${request.ended ? ` (${endedText(request.ended)})` : ''}`,
      ExitCode.EndedOtherwise,
      undefined,
      { request },
    );
  }
  const worker = request.job
    ? await client.get<WorkerInfo>(`/api/v2/workers/${request.job.workerUuid}`).catch(() => null)
    : null;
  emit(ctx.io, Boolean(options.json), request, () => startedText(request, worker));
  return 0;
}

async function askToCancel(ctx: Context, client: ApiClient, id: number): Promise<number> {
  if (!ctx.interactive) {
    ctx.io.stderr.write(
      `\nleshy: stopped waiting; request ${id} stays queued (leshy close ${id} cancels it)\n`,
    );
    return ExitCode.Interrupted;
  }
  const rl = createInterface({
    input: process.stdin,
    output: ctx.io.stderr as NodeJS.WritableStream,
  });
  const release = onInterrupt(() => rl.close());
  let answer: string;
  try {
    answer = await rl.question(`\nCancel request ${id}? [y/N] `);
  } catch {
    answer = ''; // Ctrl-C again, or end of input: no
  } finally {
    release();
    rl.close();
  }
  if (/^y(es)?$/i.test(answer.trim())) {
    const request = await client.post<RequestInfo>(`/api/v2/requests/${id}/close`);
    ctx.io.stderr.write(`request ${id} ${request.state}\n`);
  } else ctx.io.stderr.write(`request ${id} stays queued (leshy close ${id} cancels it)\n`);
  return ExitCode.Interrupted;
}

/**
 * reserve's session: a shell where the board gives one (system access mode), else the
 * board's console. Leaving it keeps the job.
 */
async function openSession(
  ctx: Context,
  client: ApiClient,
  id: number,
  identity?: string,
): Promise<number> {
  const request = await client.get<RequestInfo>(`/api/v2/requests/${id}`);
  const worker = request.job
    ? await client.get<WorkerInfo>(`/api/v2/workers/${request.job.workerUuid}`).catch(() => null)
    : null;
  const shell = worker?.accessMode === 'system';
  ctx.io.stderr.write(
    shell
      ? `opening a shell on the board of request ${id}; leaving it keeps the job (leshy close ${id} ends it)\n`
      : `opening the console of request ${id} (~. leaves; the job stays: leshy close ${id} ends it)\n`,
  );
  return onBoard(ctx, client, id, { identity, boardCommand: !shell }, async (target) => {
    const words = shell ? [] : ['console'];
    return (
      await runOpenSsh(
        sshBinary(ctx),
        sshArgs(target, words, { tty: Boolean(process.stdin.isTTY) }),
      )
    ).exitCode;
  });
}

function readPublicKey(file: string): string {
  const path = file.replace(/^~(?=\/|$)/, os.homedir());
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new CliError(
      `cannot read the public key ${file}: ${(error as Error).message}`,
      ExitCode.Usage,
    );
  }
  if (/PRIVATE KEY/.test(text)) {
    throw new CliError(
      `${file} is a private key`,
      ExitCode.Usage,
      `give the public one (${file}.pub); the private key never leaves your machine`,
    );
  }
  return text.split('\n')[0];
}
