import type { ApiClient } from './api-client';
import { ENDED_STATES, Explanation, RequestInfo } from './api-types';
import { followEvents } from './event-stream';
import { formatSpan } from './output';
import type { ProgressLine } from './progress';

export type WaitResult = 'reached' | 'unreachable' | 'timeout';

export interface WaitOptions {
  /** States that end the wait (`IN PROGRESS`). */
  states: string[];
  /** Give up after this long; none = until the request gets there or ends. */
  timeoutMs?: number;
  signal: AbortSignal;
  progress?: ProgressLine;
  /** Called with the request on every state seen and with each expiry warning. */
  onExpiring?: (event: Record<string, unknown>) => void;
}

/** The longest single long poll the API allows (5 min). */
const MAX_POLL_MS = 300_000;
/** Explain is fetched again at most this often, on events, and at least this often without. */
const EXPLAIN_MIN_GAP_MS = 1_000;
const EXPLAIN_REFRESH_MS = 10_000;

/**
 * Waits for a request to reach one of `states` with the waitFor long poll, while the progress
 * line shows the queue position and reason from /explain, refreshed when the event stream
 * says something changed (and now and then without it, should the stream be unavailable).
 */
export async function waitForRequest(
  client: ApiClient,
  id: number,
  options: WaitOptions,
): Promise<{ request: RequestInfo; result: WaitResult }> {
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, options.signal]);
  const watcher = options.progress ? watchProgress(client, id, options, signal) : Promise.resolve();
  try {
    return await longPoll(client, id, options, signal);
  } finally {
    stop.abort();
    await watcher.catch(() => undefined);
    options.progress?.stop();
  }
}

async function longPoll(
  client: ApiClient,
  id: number,
  options: WaitOptions,
  signal: AbortSignal,
): Promise<{ request: RequestInfo; result: WaitResult }> {
  const until = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  for (;;) {
    const left = until - Date.now();
    const pollMs = Math.max(1_000, Math.min(MAX_POLL_MS, left));
    const answer = await client.call<RequestInfo>('GET', `/api/v2/requests/${id}`, {
      query: { waitFor: options.states.join(','), timeout: `${Math.ceil(pollMs / 1000)}s` },
      timeoutMs: pollMs + 30_000,
      signal,
    });
    const request = answer.body;
    const header = answer.headers.get('Wait-Result') as WaitResult | null;
    // A server without the long poll answers at once: decide here, and do not spin.
    const result: WaitResult =
      header ??
      (options.states.includes(request.state)
        ? 'reached'
        : ENDED_STATES.includes(request.state)
          ? 'unreachable'
          : 'timeout');
    if (result !== 'timeout') return { request, result };
    if (Date.now() >= until) return { request, result: 'timeout' };
    if (!header) await sleep(2_000, signal);
  }
}

/** Keeps the progress line current until `signal` aborts. */
async function watchProgress(
  client: ApiClient,
  id: number,
  options: WaitOptions,
  signal: AbortSignal,
): Promise<void> {
  const progress = options.progress!;
  let last = 0;
  let pending: NodeJS.Timeout | null = null;
  const refresh = async () => {
    last = Date.now();
    try {
      const explanation = await client.get<Explanation>(`/api/v2/requests/${id}/explain`, {
        signal,
      });
      // Not WAITING any more: the long poll is about to answer; nothing to show.
      if (!signal.aborted && explanation.state === 'WAITING')
        progress.update(describeWait(explanation));
    } catch {
      if (!signal.aborted) progress.update(`request ${id}: waiting`);
    }
  };
  const soon = () => {
    if (pending || signal.aborted) return;
    pending = setTimeout(
      () => {
        pending = null;
        if (!signal.aborted) void refresh();
      },
      Math.max(0, last + EXPLAIN_MIN_GAP_MS - Date.now()),
    );
  };
  await refresh();
  // Cleared in finally, not on 'abort': the wait may have ended while refresh() ran, and a
  // ticker left behind would keep the process alive.
  const ticker = setInterval(soon, EXPLAIN_REFRESH_MS);
  try {
    await followEvents(client, {
      signal,
      onEvent: ({ event, data }) => {
        if (event === 'job.expiring' && Number(data.requestId) === id) options.onExpiring?.(data);
        soon();
      },
    }).catch(() => undefined); // no stream: the ticker keeps the line fresh
    await new Promise<void>((resolve) =>
      signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve()),
    );
  } finally {
    clearInterval(ticker);
    if (pending) clearTimeout(pending);
  }
}

/** `request 42 WAITING: 3rd in its priority, 7th overall; 2 workers busy; estimated start in 12m`. */
export function describeWait(e: Explanation, now = Date.now()): string {
  const parts = [`request ${e.requestId} ${e.state}`];
  if (e.summary) parts.push(e.summary);
  else if (e.position) parts.push(`${ordinal(e.position.overall)} in the queue`);
  if (!e.summary && e.estimatedStart)
    parts.push(`estimated start in ${formatSpan(Date.parse(e.estimatedStart) - now)}`);
  return parts.join(': ');
}

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
