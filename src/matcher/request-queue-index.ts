import { BinaryHeap } from '../common/binary-heap';
import { CapsQuery, isAnyOf } from '../common/caps-query';
import { Ask, askKey, capsSatisfied, groupsAdmit, Offer } from '../common/ask';

/** What the matcher keeps of a WAITING request. */
export interface QueuedRequest {
  readonly id: number;
  readonly priority: number;
  readonly queueSeq: number;
  readonly validAfter: number;
  readonly deadline: number;
  readonly ask: AskQueue;
  /** Set once validAfter has come; only ready entries sit in their ask's heap. */
  ready: boolean;
}

/** What orders the queue: a request's place in it. */
export type QueuePlace = Pick<QueuedRequest, 'id' | 'priority' | 'queueSeq'>;

/** Strict priority (1 first), then first come first served (queue sequence, then id). */
export function servedBefore(a: QueuePlace, b: QueuePlace): boolean {
  if (a.priority !== b.priority) return a.priority < b.priority;
  if (a.queueSeq !== b.queueSeq) return a.queueSeq < b.queueSeq;
  return a.id < b.id;
}

/** Counted work of the queue index (tests show it does not grow with the backlog). */
export interface QueueWork {
  asks: number;
  entries: number;
}

/**
 * All WAITING requests that ask for the same caps and groups. The matcher only ever needs the
 * ask's best ready request, so a heap keeps them; replaced or removed entries are dropped
 * lazily when they reach the top.
 */
export class AskQueue implements Ask {
  readonly entries = new Map<number, QueuedRequest>();
  private readonly heap = new BinaryHeap<QueuedRequest>(servedBefore);
  private readyCount = 0;

  constructor(
    readonly key: string,
    readonly caps: CapsQuery,
    readonly ownerGroups: readonly string[],
    readonly anyGroup: boolean,
    private readonly examined: QueueWork = { asks: 0, entries: 0 },
  ) {}

  get size(): number {
    return this.entries.size;
  }

  add(entry: QueuedRequest): void {
    this.entries.set(entry.id, entry);
    if (entry.ready) this.pushReady(entry);
  }

  delete(id: number): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    if (entry.ready) this.readyCount--;
    this.entries.delete(id);
  }

  markReady(entry: QueuedRequest): void {
    if (entry.ready || this.entries.get(entry.id) !== entry) return;
    entry.ready = true;
    this.pushReady(entry);
  }

  /** The best ready request whose deadline has not passed, without removing it. */
  head(now: number): QueuedRequest | undefined {
    for (;;) {
      this.examined.entries++;
      const top = this.heap.peek();
      if (!top) return undefined;
      if (this.entries.get(top.id) === top && top.deadline > now) return top;
      // Stale (replaced/removed), or past its deadline: the timekeeper will time it out.
      this.heap.pop();
      if (this.entries.get(top.id) === top) {
        top.ready = false;
        this.readyCount--;
      }
    }
  }

  private pushReady(entry: QueuedRequest): void {
    this.readyCount++;
    this.heap.push(entry);
    // Keep lazily deleted garbage bounded by the live size.
    if (this.heap.size > 2 * this.readyCount + 64) {
      this.heap.retain((e) => this.entries.get(e.id) === e && e.ready);
    }
  }
}

export interface IndexedRequest {
  id: number;
  priority: number;
  queueSeq: number;
  validAfter: Date;
  deadline: Date;
  caps: CapsQuery;
  ownerGroups: readonly string[];
  anyGroup: boolean;
}

/**
 * The matcher's view of the queue: WAITING requests grouped into asks. Asks are indexed by a
 * (cap, value) a worker must have to serve them: their first exact cap, else each value of
 * their first any-of cap; asks with neither (no caps, or only ranges and negations) are looked
 * at for every worker. So the asks a worker might serve are found without looking at asks that
 * require a cap value the worker lacks.
 */
export class RequestQueueIndex {
  private readonly asks = new Map<string, AskQueue>();
  private readonly requests = new Map<number, QueuedRequest>();
  private readonly asksByIndexKey = new Map<string, Set<AskQueue>>();
  /** What the index looked at so far (asks by asksServableBy, entries by heads): for tests. */
  readonly examined: QueueWork = { asks: 0, entries: 0 };

  get requestCount(): number {
    return this.requests.size;
  }

  get askCount(): number {
    return this.asks.size;
  }

  get(id: number): QueuedRequest | undefined {
    return this.requests.get(id);
  }

  /** Adds a WAITING request or replaces what is known of it; returns its entry. */
  upsert(request: IndexedRequest, now: number): QueuedRequest {
    this.remove(request.id);
    const ask = this.askFor(request);
    const entry: QueuedRequest = {
      id: request.id,
      priority: request.priority,
      queueSeq: request.queueSeq,
      validAfter: request.validAfter.getTime(),
      deadline: request.deadline.getTime(),
      ask,
      ready: request.validAfter.getTime() <= now,
    };
    ask.add(entry);
    this.requests.set(entry.id, entry);
    return entry;
  }

  remove(id: number): void {
    const entry = this.requests.get(id);
    if (!entry) return;
    this.requests.delete(id);
    entry.ask.delete(id);
    if (entry.ask.size === 0) this.dropAsk(entry.ask);
  }

  /** validAfter has come: the request may be matched from now on. */
  markReady(id: number): AskQueue | undefined {
    const entry = this.requests.get(id);
    if (!entry) return undefined;
    entry.ask.markReady(entry);
    return entry.ask;
  }

  allAsks(): Iterable<AskQueue> {
    return this.asks.values();
  }

  /** Asks that `worker` can serve (caps and groups). */
  asksServableBy(worker: Offer): AskQueue[] {
    const result: AskQueue[] = [];
    const consider = (set: Set<AskQueue> | undefined) => {
      for (const ask of set ?? []) {
        this.examined.asks++;
        if (capsSatisfied(ask.caps, worker.caps) && groupsAdmit(worker.groups, ask))
          result.push(ask);
      }
    };
    // A worker has one value per cap, so it finds an ask under at most one of its index keys.
    consider(this.asksByIndexKey.get(UNINDEXED));
    for (const key in worker.caps)
      consider(this.asksByIndexKey.get(capIndexKey(key, worker.caps[key])));
    return result;
  }

  private askFor(request: IndexedRequest): AskQueue {
    const key = askKey(request);
    let ask = this.asks.get(key);
    if (!ask) {
      ask = new AskQueue(
        key,
        { ...request.caps },
        [...request.ownerGroups],
        request.anyGroup,
        this.examined,
      );
      this.asks.set(key, ask);
      for (const indexKey of indexKeysOf(ask.caps)) {
        let set = this.asksByIndexKey.get(indexKey);
        if (!set) this.asksByIndexKey.set(indexKey, (set = new Set()));
        set.add(ask);
      }
    }
    return ask;
  }

  private dropAsk(ask: AskQueue): void {
    this.asks.delete(ask.key);
    for (const indexKey of indexKeysOf(ask.caps)) {
      const set = this.asksByIndexKey.get(indexKey);
      set?.delete(ask);
      if (set?.size === 0) this.asksByIndexKey.delete(indexKey);
    }
  }
}

function capIndexKey(key: string, value: string): string {
  return JSON.stringify([key, value]);
}

const UNINDEXED = '';

/** The (cap, value) keys an ask is found under: a worker serving it has one of them. */
function indexKeysOf(caps: CapsQuery): string[] {
  const keys = Object.keys(caps).sort();
  const exact = keys.find((key) => typeof caps[key] === 'string');
  if (exact !== undefined) return [capIndexKey(exact, caps[exact] as string)];
  const anyOf = keys.find((key) => isAnyOf(caps[key]));
  if (anyOf !== undefined)
    return (caps[anyOf] as readonly string[]).map((value) => capIndexKey(anyOf, value));
  return [UNINDEXED];
}
