import type { Caps } from 'dryad-agent/protocol';
import { IdleWorkerIndex } from './idle-worker-index';
import { matchHead, PlannedMatch, planMatches } from './match-planner';
import { AskQueue, IndexedRequest, RequestQueueIndex } from './request-queue-index';

export interface MatchableWorker {
  uuid: string;
  state: string;
  caps: Caps;
  groups: readonly string[];
  idleSince: Date | null;
}

export interface MatchableRequest extends IndexedRequest {
  state: string;
}

/**
 * What the matcher knows (waiting requests by ask, idle workers) and what changed since the
 * last pass. plan() looks only at asks that a change could have made servable: asks that got a
 * new ready request, and asks a newly idle or changed worker can serve. Pure and synchronous,
 * so it is tested against a plain reference model.
 */
export class MatchingState {
  readonly queue = new RequestQueueIndex();
  readonly idle = new IdleWorkerIndex();
  private readonly dirtyAsks = new Set<AskQueue>();
  private readonly dirtyWorkers = new Set<string>();
  private everything = false;
  /** Asks handed to passes so far (with the indexes' own counters: the matcher's work). */
  asksPlanned = 0;

  /** True when a pass could find something. */
  get pending(): boolean {
    return this.everything || this.dirtyAsks.size > 0 || this.dirtyWorkers.size > 0;
  }

  /** Look at every ask in the next pass (after loading from the database). */
  markEverything(): void {
    this.everything = true;
  }

  /** Returns true if the change may allow a match. `rematch = false` records without that. */
  requestChanged(request: MatchableRequest, now: number, rematch = true): boolean {
    if (request.state !== 'WAITING') {
      this.queue.remove(request.id);
      return false;
    }
    const entry = this.queue.upsert(request, now);
    if (!entry.ready || !rematch) return false;
    this.dirtyAsks.add(entry.ask);
    return true;
  }

  workerChanged(worker: MatchableWorker, rematch = true): boolean {
    if (worker.state !== 'IDLE') {
      this.idle.remove(worker.uuid);
      return false;
    }
    this.idle.upsert(worker);
    if (!rematch) return false;
    this.dirtyWorkers.add(worker.uuid);
    return true;
  }

  workerRemoved(uuid: string): void {
    this.idle.remove(uuid);
  }

  /** validAfter has come for this request (ignored if it has not, e.g. a stale timer). */
  requestBecameReady(id: number, now: number): boolean {
    const entry = this.queue.get(id);
    if (!entry || entry.validAfter > now) return false;
    this.dirtyAsks.add(this.queue.markReady(id)!);
    return true;
  }

  /**
   * The match the pass after this new request's arrival would make for it, made at once so the
   * request's own transaction can start the job. Only when nothing else is pending: then every
   * ready request already had its pass, so no idle worker is wanted by a request ahead of this
   * one (one that could use it would have been matched), and the pass would look at this
   * request's ask alone, as here. Null when that pass would not match it now.
   */
  planArrival(request: MatchableRequest, now: number): PlannedMatch | null {
    if (this.pending || request.state !== 'WAITING') return null;
    const entry = this.queue.upsert(request, now);
    const match =
      entry.ready && entry.ask.head(now) === entry
        ? matchHead(this.queue, this.idle, entry.ask, entry)
        : undefined;
    // Not matched now: its request.created event files it as for any other arrival.
    if (!match) this.queue.remove(request.id);
    return match ?? null;
  }

  /** What the matcher has looked at so far: asks, queue entries and idle workers. */
  work(): {
    asksPlanned: number;
    asksExamined: number;
    entriesExamined: number;
    workersExamined: number;
  } {
    return {
      asksPlanned: this.asksPlanned,
      asksExamined: this.queue.examined.asks,
      entriesExamined: this.queue.examined.entries,
      workersExamined: this.idle.examined,
    };
  }

  /** One pass: the matches to commit. Planned requests and workers leave the indexes. */
  plan(now: number): PlannedMatch[] {
    let candidates: AskQueue[];
    if (this.everything) {
      candidates = [...this.queue.allAsks()];
    } else {
      candidates = [...this.dirtyAsks];
      for (const uuid of this.dirtyWorkers) {
        const worker = this.idle.get(uuid);
        if (worker) candidates.push(...this.queue.asksServableBy(worker));
      }
    }
    this.asksPlanned += candidates.length;
    this.everything = false;
    this.dirtyAsks.clear();
    this.dirtyWorkers.clear();
    return planMatches(this.queue, this.idle, candidates, now);
  }
}
