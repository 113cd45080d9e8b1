import { BinaryHeap } from '../common/binary-heap';
import { IdleWorkerIndex } from './idle-worker-index';
import { AskQueue, QueuedRequest, RequestQueueIndex, servedBefore } from './request-queue-index';

export interface PlannedMatch {
  requestId: number;
  workerUuid: string;
}

/**
 * One matching pass over `candidates` (the asks that something could have made servable):
 * ready requests are served strictly by priority, first come first served within one, each
 * taking the least capable compatible idle worker (then the one idle longest).
 *
 * Requests of one ask are interchangeable, so the pass looks only at each ask's best request,
 * in a heap of asks: its cost grows with the number of asks and idle workers, not with the
 * backlog. Planned requests and workers leave the indexes at once (the caller puts them back
 * if the database refuses the match).
 *
 * Equivalence with the plain rule "for each ready request in order, take the best worker":
 * an ask without a compatible idle worker is skipped by both, and stays so for the rest of the
 * pass because workers are only ever taken away. Asks outside `candidates` had no compatible
 * idle worker before the triggering events, which the caller guarantees.
 */
export function planMatches(
  queue: RequestQueueIndex,
  idle: IdleWorkerIndex,
  candidates: Iterable<AskQueue>,
  now: number,
): PlannedMatch[] {
  const heads = new BinaryHeap<{ ask: AskQueue; head: QueuedRequest }>((a, b) =>
    servedBefore(a.head, b.head),
  );
  for (const ask of new Set(candidates)) {
    const head = ask.head(now);
    if (head) heads.push({ ask, head });
  }
  const planned: PlannedMatch[] = [];
  while (idle.size > 0 && heads.size > 0) {
    const { ask, head } = heads.pop()!;
    const match = matchHead(queue, idle, ask, head);
    if (!match) continue;
    planned.push(match);
    const next = ask.size > 0 ? ask.head(now) : undefined;
    if (next) heads.push({ ask, head: next });
  }
  return planned;
}

/**
 * One step of a pass: the ask's head request takes the idle worker the rules prefer for it, if
 * any can serve it; both leave the indexes.
 */
export function matchHead(
  queue: RequestQueueIndex,
  idle: IdleWorkerIndex,
  ask: AskQueue,
  head: QueuedRequest,
): PlannedMatch | undefined {
  const worker = idle.bestFor(ask);
  if (!worker) return undefined;
  queue.remove(head.id);
  idle.remove(worker.uuid);
  return { requestId: head.id, workerUuid: worker.uuid };
}
