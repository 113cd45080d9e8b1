import type { Caps } from 'dryad-agent/protocol';
import { BinaryHeap } from '../common/binary-heap';
import { capSatisfied, CapsQuery, describeCapAsk } from '../common/caps-query';
import {
  Ask,
  capsNoOfferSatisfies,
  capsSatisfied,
  groupsAdmit,
  isCompatible,
  isReady,
  Offer,
} from '../common/ask';
import { IdleWorkerIndex } from '../matcher/idle-worker-index';
import { PlannedMatch, planMatches } from '../matcher/match-planner';
import { IndexedRequest, RequestQueueIndex, servedBefore } from '../matcher/request-queue-index';
import type { MaintenanceOrder } from '../workers/maintenance-order';

/**
 * "Why is my request not scheduled?" as a pure function of what the matcher looks at: the
 * request, the WAITING queue, the registered workers and their running jobs. Every verdict
 * comes from the matcher's own rules (src/common/ask.ts for who can serve whom, the match
 * planner for who takes which idle worker), so the answer cannot drift from what the matcher
 * does. docs/explain.md describes every reason and the estimate.
 */

export type ExplainReason =
  'running' | 'preparing' | 'maintenance' | 'failed' | 'busy' | 'groups' | 'cap' | 'ahead' | 'idle';

export interface ExplainedRequest extends IndexedRequest, Ask {
  state: string;
}

export interface ExplainedWorker extends Offer {
  uuid: string;
  state: string;
  idleSince: Date | null;
  failReason: string | null;
  maintenance: MaintenanceOrder | null;
}

export interface RunningJob {
  requestId: number;
  workerUuid: string;
  startedAt: Date;
  timeoutAt: Date;
}

export interface ExplainInput {
  request: ExplainedRequest;
  /** Every WAITING request (the request itself among them when it waits). */
  queue: readonly ExplainedRequest[];
  /** Every registered worker. */
  workers: readonly ExplainedWorker[];
  /** Jobs that have not ended. */
  jobs: readonly RunningJob[];
  /** How long recent jobs ran, in ms (any order); empty: no history yet. */
  recentJobDurationsMs: readonly number[];
  /** Used as the typical job length when there is no history (LESHY_JOB_TIMEOUT). */
  jobTimeoutMs: number;
  now: Date;
  /** For a request that is not WAITING: where it is (its job), said in the summary. */
  job?: { workerUuid: string; timeoutAt: Date; endedAt: Date | null } | null;
}

export interface WorkerVerdict {
  uuid: string;
  reason: ExplainReason;
  detail: string;
}

export interface Explanation {
  requestId: number;
  state: string;
  ready: boolean;
  position: { inPriority: number; overall: number } | null;
  workers: WorkerVerdict[];
  estimatedStart: Date | null;
  missingCaps: string[];
  summary: string;
}

export function explain(input: ExplainInput): Explanation {
  const { request, now } = input;
  if (request.state !== 'WAITING') return notWaiting(input);
  const ready = isReady(request, now);
  const ahead = readyRequestsAhead(input);
  const position = {
    inPriority: ahead.filter((r) => r.priority === request.priority).length + 1,
    overall: ahead.length + 1,
  };
  const planned = plannedMatches(input, ahead);
  const takenBy = new Map(planned.map((m) => [m.workerUuid, m.requestId]));
  const taker = planned.find((m) => m.requestId === request.id)?.workerUuid ?? null;
  const jobOf = new Map(input.jobs.map((job) => [job.workerUuid, job]));
  const workers = input.workers.map((worker) =>
    verdictOf(worker, request, jobOf.get(worker.uuid), takenBy, ready),
  );
  const serving = input.workers.filter((w) => isCompatible(w, request));
  const missingCaps = serving.length === 0 ? capsNobodyHas(request.caps, input.workers) : [];
  const estimatedStart = taker !== null ? input.now : estimateStart(input, ahead, serving, jobOf);
  return {
    requestId: request.id,
    state: request.state,
    ready,
    position,
    workers,
    estimatedStart,
    missingCaps,
    summary: summaryOf(input, { ready, position, workers, estimatedStart, missingCaps }, taker),
  };
}

/** The ready WAITING requests the matcher serves before this one (strict priority, then FIFO). */
function readyRequestsAhead(input: ExplainInput): ExplainedRequest[] {
  return input.queue.filter(
    (other) =>
      other.id !== input.request.id &&
      isReady(other, input.now) &&
      servedBefore(other, input.request),
  );
}

/**
 * The matches a pass would make now among the requests ahead and this one: the matcher's own
 * planner over fresh indexes, so "ahead" and "idle" are the matcher's choices, not a guess.
 * Requests behind this one cannot take a worker before it, so they are left out; one that is
 * not ready yet is not planned (the planner only serves ready requests).
 */
function plannedMatches(input: ExplainInput, ahead: readonly ExplainedRequest[]): PlannedMatch[] {
  const now = input.now.getTime();
  const queue = new RequestQueueIndex();
  for (const request of [...ahead, input.request]) queue.upsert(request, now);
  const idle = new IdleWorkerIndex();
  for (const worker of input.workers) if (worker.state === 'IDLE') idle.upsert(worker);
  return planMatches(queue, idle, queue.allAsks(), now);
}

function verdictOf(
  worker: ExplainedWorker,
  request: ExplainedRequest,
  job: RunningJob | undefined,
  takenBy: ReadonlyMap<string, number>,
  ready: boolean,
): WorkerVerdict {
  const verdict = (reason: ExplainReason, detail: string) => ({
    uuid: worker.uuid,
    reason,
    detail,
  });
  const cap = capMismatch(request.caps, worker.caps);
  if (cap) return verdict('cap', cap);
  if (!groupsAdmit(worker.groups, request))
    return verdict('groups', `reserved for ${worker.groups.join(', ')}`);
  switch (worker.state) {
    case 'RUNNING': {
      const until = job ? ` until ${job.timeoutAt.toISOString()}` : '';
      const then = worker.maintenance?.drain ? ', then maintenance (drain)' : '';
      return verdict('running', `running request ${job?.requestId ?? '?'}${until}${then}`);
    }
    case 'PREPARE':
      return verdict('preparing', 'being prepared for the next job');
    case 'MAINTENANCE':
      return verdict(
        'maintenance',
        `in maintenance: ${worker.maintenance?.message ?? 'no message'}`,
      );
    case 'BUSY':
      return verdict('busy', 'busy: being taken to maintenance');
    case 'FAILED':
      return verdict('failed', `failed: ${worker.failReason ?? 'no reason given'}`);
    default: {
      const taker = takenBy.get(worker.uuid);
      if (taker !== undefined && taker !== request.id)
        return verdict('ahead', `idle, but request ${taker} ahead of it takes it`);
      if (taker === request.id) return verdict('idle', 'idle: it takes this request now');
      return verdict(
        'idle',
        ready
          ? 'idle: can serve it (the matcher gives it another idle worker)'
          : `idle: can serve it once it is ready at ${request.validAfter.toISOString()}`,
      );
    }
  }
}

/** The first requested cap this worker does not satisfy, said as what it has and what was asked. */
function capMismatch(asked: CapsQuery, offered: Caps): string | null {
  if (capsSatisfied(asked, offered)) return null;
  for (const key of Object.keys(asked).sort()) {
    if (capSatisfied(asked[key], offered[key])) continue;
    // An exact ask reads as its value (`asked rpi4`), a rule as its words (`asked ram_gb ≥ 8`).
    const wanted = asked[key];
    const want = typeof wanted === 'string' ? wanted : describeCapAsk(key, wanted);
    return key in offered
      ? `cap ${key} is ${offered[key]}, asked ${want}`
      : `has no cap ${key}, asked ${want}`;
  }
  return 'caps differ';
}

/**
 * For a request no registered worker can serve: each requested cap (with its value) that no
 * registered worker has at all. Empty when each cap is offered somewhere, only never together
 * (or the groups are what no worker admits): the summary says so.
 */
function capsNobodyHas(asked: CapsQuery, workers: readonly ExplainedWorker[]): string[] {
  return capsNoOfferSatisfies(asked, workers)
    .sort()
    .map((key) => describeCapAsk(key, asked[key]));
}

/**
 * When a worker that can serve it is likely to take it: every serving worker in service is free
 * at a moment (now if it is idle or being prepared, the end of its running job's expected
 * length, never past its timeout); the ready requests ahead that could use one of them each
 * take the first one free, for the typical job length (the median of recent jobs); this
 * request gets the next. Workers in maintenance, failed or busy are not counted. Null when no
 * serving worker is in service.
 */
function estimateStart(
  input: ExplainInput,
  ahead: readonly ExplainedRequest[],
  serving: readonly ExplainedWorker[],
  jobOf: ReadonlyMap<string, RunningJob>,
): Date | null {
  const now = input.now.getTime();
  const typical = median(input.recentJobDurationsMs) ?? input.jobTimeoutMs;
  const free = new BinaryHeap<number>((a, b) => a < b);
  for (const worker of serving) {
    if (worker.state === 'IDLE' || worker.state === 'PREPARE') free.push(now);
    else if (worker.state === 'RUNNING' && !worker.maintenance?.drain) {
      const job = jobOf.get(worker.uuid);
      const expectedEnd = job
        ? Math.min(job.timeoutAt.getTime(), Math.max(now, job.startedAt.getTime() + typical))
        : now + typical;
      free.push(expectedEnd);
    }
  }
  if (free.size === 0) return null;
  for (const other of ahead) {
    if (!serving.some((worker) => isCompatible(worker, other))) continue;
    const at = free.pop()!;
    free.push(at + typical);
  }
  return new Date(Math.max(free.peek()!, input.request.validAfter.getTime(), now));
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function notWaiting(input: ExplainInput): Explanation {
  const { request, job } = input;
  const where =
    request.state === 'IN PROGRESS' && job
      ? `in progress on worker ${job.workerUuid} until ${job.timeoutAt.toISOString()}`
      : `${request.state}: it is not waiting any more`;
  return {
    requestId: request.id,
    state: request.state,
    ready: false,
    position: null,
    workers: [],
    estimatedStart: null,
    missingCaps: [],
    summary: `${where}; only a WAITING request is explained`,
  };
}

function summaryOf(
  input: ExplainInput,
  e: Pick<Explanation, 'ready' | 'position' | 'workers' | 'estimatedStart' | 'missingCaps'>,
  taker: string | null,
): string {
  const serving = e.workers.filter((w) => w.reason !== 'cap' && w.reason !== 'groups');
  if (serving.length === 0) {
    if (input.workers.length === 0) return 'no worker is registered';
    if (e.missingCaps.length > 0)
      return `no registered worker can serve it: no worker has ${e.missingCaps.join(', ')}`;
    return 'no registered worker can serve it: no worker has all of its caps in its groups';
  }
  const parts: string[] = [];
  if (!e.ready) parts.push(`not ready before ${input.request.validAfter.toISOString()}`);
  parts.push(`${ordinal(e.position!.overall)} in the queue`);
  if (taker !== null) parts.push(`worker ${taker} is idle and takes it now`);
  else {
    parts.push(`${countOf(serving.length)} could serve it, ${stateOfAll(serving)}`);
    parts.push(
      e.estimatedStart
        ? `estimated start ${inMinutes(e.estimatedStart, input.now)}`
        : 'none of them is in service',
    );
  }
  return parts.join('; ');
}

function countOf(n: number): string {
  return n === 1 ? '1 worker' : `${n} workers`;
}

function stateOfAll(serving: readonly WorkerVerdict[]): string {
  const reasons = [...new Set(serving.map((w) => w.reason))];
  if (reasons.length === 1) {
    const word = REASON_WORDS[reasons[0]];
    return serving.length === 1
      ? `it is ${word}`
      : serving.length === 2
        ? `both ${word}`
        : `all ${word}`;
  }
  return reasons
    .map((reason) => `${serving.filter((w) => w.reason === reason).length} ${REASON_WORDS[reason]}`)
    .join(', ');
}

const REASON_WORDS: Record<ExplainReason, string> = {
  running: 'busy',
  preparing: 'being prepared',
  maintenance: 'in maintenance',
  failed: 'failed',
  busy: 'being taken to maintenance',
  groups: 'reserved for other groups',
  cap: 'without its caps',
  ahead: 'taken by requests ahead',
  idle: 'idle',
};

function inMinutes(at: Date, now: Date): string {
  const minutes = Math.round((at.getTime() - now.getTime()) / 60_000);
  if (minutes <= 0) return 'now';
  if (minutes < 120) return `in ${minutes} min`;
  return `in ${Math.round(minutes / 60)} h`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
