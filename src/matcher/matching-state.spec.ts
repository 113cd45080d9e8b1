import type { Caps } from 'dryad-agent/protocol';
import { CapsQuery, normalizeCapsQuery } from '../common/caps-query';
import { capability, groupsAdmit, isReady } from '../common/ask';
import { MatchableRequest, MatchableWorker, MatchingState } from './matching-state';

/**
 * docs/caps.md written plainly, apart from the matcher's own predicate: exact, any of, an
 * inclusive range over a worker's numeric value, not (a missing cap satisfies it).
 */
function referenceCapOk(want: unknown, have: string | undefined): boolean {
  if (typeof want === 'string') return have === want;
  if (Array.isArray(want)) return want.some((value) => value === have);
  const rule = want as { min?: number; max?: number; not?: string | string[] };
  if (rule.not !== undefined) return ![rule.not].flat().some((value) => value === have);
  if (have === undefined || have.trim() === '' || !Number.isFinite(Number(have))) return false;
  const n = Number(have);
  return !(rule.min !== undefined && n < rule.min) && !(rule.max !== undefined && n > rule.max);
}

function referenceCompatible(worker: MatchableWorker, request: MatchableRequest): boolean {
  return (
    Object.entries(request.caps).every(([key, want]) => referenceCapOk(want, worker.caps[key])) &&
    groupsAdmit(worker.groups, request)
  );
}

/** DESIGN.md "Matching" written as plainly as possible: the reference the matcher must equal. */
function referenceMatches(requests: MatchableRequest[], workers: MatchableWorker[], now: Date) {
  const ready = requests
    .filter((r) => r.state === 'WAITING' && isReady(r, now))
    .sort((a, b) => a.priority - b.priority || a.queueSeq - b.queueSeq || a.id - b.id);
  let idle = workers.filter((w) => w.state === 'IDLE');
  const matches: Array<{ requestId: number; workerUuid: string }> = [];
  for (const request of ready) {
    const fitting = idle.filter((w) => referenceCompatible(w, request));
    if (fitting.length === 0) continue;
    fitting.sort(
      (a, b) =>
        capability(a) - capability(b) ||
        (a.idleSince?.getTime() ?? 0) - (b.idleSince?.getTime() ?? 0) ||
        (a.uuid < b.uuid ? -1 : 1),
    );
    matches.push({ requestId: request.id, workerUuid: fitting[0].uuid });
    idle = idle.filter((w) => w !== fitting[0]);
  }
  return matches;
}

function seeded(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

const BOARDS = ['rpi4', 'odroid', 'imx8'];
const GROUPS = ['lab-a', 'lab-b', 'lab-c'];
const ARCHES = ['arm64', 'armv7'];
const REVS = ['a', 'b', 'c'];
/** Worker values of ram_gb, one of them not a number (no range matches it). */
const RAM = ['1', '2', '4', '8', '16', 'lots'];
const BOUNDS = [1, 2, 3, 4, 8, 16];

function world(seed: number) {
  const random = seeded(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const subset = (list: string[]) => list.filter(() => random() < 0.3);
  let nextId = 1;
  let seq = 1;
  let clock = 1_000_000;
  const requests = new Map<number, MatchableRequest>();
  const workers = new Map<string, MatchableWorker>();

  const workerCaps = (): Caps => {
    const caps: Caps = { board: pick(BOARDS) };
    if (random() < 0.5) caps.arch = pick(ARCHES);
    if (random() < 0.3) caps.hdmi = 'yes';
    if (random() < 0.6) caps.ram_gb = pick(RAM);
    if (random() < 0.5) caps.rev = pick(REVS);
    return caps;
  };
  // Any of, ranges and negations, written as a tester might (unsorted, repeated), then made
  // canonical as RequestsService.create does.
  const anyOf = (values: string[]) => [pick(values), pick(values), pick(values)];
  const rule = (values: string[]): unknown => {
    const dice = random();
    if (dice < 0.5) return pick(values);
    if (dice < 0.75) return anyOf(values);
    return { not: random() < 0.5 ? pick(values) : anyOf(values) };
  };
  const range = () => {
    const [a, b] = [pick(BOUNDS), pick(BOUNDS)].sort((x, y) => x - y);
    const dice = random();
    return dice < 0.4 ? { min: a, max: b } : dice < 0.7 ? { min: a } : { max: b };
  };
  const requestCaps = () => {
    const caps: Record<string, unknown> = {};
    if (random() < 0.8) caps.board = rule(BOARDS);
    if (random() < 0.2) caps.arch = rule(ARCHES);
    if (random() < 0.1) caps.hdmi = random() < 0.5 ? 'yes' : { not: 'yes' };
    if (random() < 0.25) caps.ram_gb = range();
    if (random() < 0.15) caps.rev = rule(REVS);
    return normalizeCapsQuery(caps);
  };
  const newRequest = (): MatchableRequest => {
    const validAfter = new Date(clock + (random() < 0.2 ? Math.floor(random() * 5000) : -1));
    return {
      id: nextId++,
      state: 'WAITING',
      priority: 1 + Math.floor(random() * 4),
      queueSeq: seq++,
      caps: requestCaps(),
      ownerGroups: subset(GROUPS),
      anyGroup: random() < 0.1,
      validAfter,
      deadline: new Date(clock + 1000 + Math.floor(random() * 20_000)),
    };
  };
  const newWorker = (): MatchableWorker => ({
    uuid: `w${String(workers.size).padStart(3, '0')}-${Math.floor(random() * 1e6)}`,
    state: 'IDLE',
    caps: workerCaps(),
    groups: subset(GROUPS),
    idleSince: new Date(clock - Math.floor(random() * 1000)),
  });
  return {
    random,
    pick,
    requests,
    workers,
    newRequest,
    newWorker,
    get now() {
      return clock;
    },
    tick(ms: number) {
      clock += ms;
    },
    nextSeq: () => seq++,
  };
}

/** A ready WAITING request of no groups, served in id order, for the work-count tests. */
function waitingRequest(id: number, caps: CapsQuery): MatchableRequest {
  return {
    id,
    state: 'WAITING',
    priority: 8,
    queueSeq: id,
    caps,
    ownerGroups: [],
    anyGroup: false,
    validAfter: new Date(0),
    deadline: new Date(10_000_000),
  };
}

describe('MatchingState against the reference model', () => {
  it('matches exactly like the reference on randomized queues and worker sets (one full pass)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const w = world(seed);
      const state = new MatchingState();
      for (let i = 0; i < 40; i++) {
        const request = w.newRequest();
        w.requests.set(request.id, request);
        state.requestChanged(request, w.now, false);
      }
      for (let i = 0; i < 12; i++) {
        const worker = w.newWorker();
        w.workers.set(worker.uuid, worker);
        state.workerChanged(worker, false);
      }
      state.markEverything();
      const now = new Date(w.now);
      expect(state.plan(w.now)).toEqual(
        referenceMatches([...w.requests.values()], [...w.workers.values()], now),
      );
    }
  });

  it('stays equal to the reference through random sequences of events, pass after pass', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const w = world(seed * 7919);
      const state = new MatchingState();
      for (let step = 0; step < 150; step++) {
        const dice = w.random();
        if (dice < 0.3) {
          const request = w.newRequest();
          w.requests.set(request.id, request);
          if (state.pending || w.random() < 0.5) {
            state.requestChanged(request, w.now);
            continue;
          }
          // Matched in its create transaction: exactly what the reference's next pass would do.
          const expected = referenceMatches(
            [...w.requests.values()],
            [...w.workers.values()],
            new Date(w.now),
          );
          const match = state.planArrival(request, w.now);
          expect(match ? [match] : []).toEqual(expected);
          if (match) {
            const started = { ...request, state: 'IN PROGRESS' };
            const running = { ...w.workers.get(match.workerUuid)!, state: 'RUNNING' };
            w.requests.set(request.id, started);
            w.workers.set(running.uuid, running);
            // The events its commit publishes: request.created (as created), then the starts.
            state.requestChanged(request, w.now);
            state.requestChanged(started, w.now);
            state.workerChanged(running);
          } else state.requestChanged(request, w.now);
        } else if (dice < 0.4) {
          const worker = w.newWorker();
          w.workers.set(worker.uuid, worker);
          state.workerChanged(worker);
        } else if (dice < 0.55 && w.requests.size > 0) {
          // Close or time out a request, or change its priority (tail of the new priority).
          const request = w.pick([...w.requests.values()].filter((r) => r.state === 'WAITING'));
          if (request) {
            const changed =
              w.random() < 0.5
                ? { ...request, state: 'CANCELLED' }
                : { ...request, priority: 1 + Math.floor(w.random() * 4), queueSeq: w.nextSeq() };
            w.requests.set(request.id, changed);
            state.requestChanged(changed, w.now);
          }
        } else if (dice < 0.7 && w.workers.size > 0) {
          // A worker leaves (maintenance, failure) or comes back idle, maybe with new groups.
          const worker = w.pick([...w.workers.values()]);
          const changed: MatchableWorker =
            worker.state === 'IDLE'
              ? { ...worker, state: w.random() < 0.5 ? 'BUSY' : 'FAILED' }
              : {
                  ...worker,
                  state: 'IDLE',
                  idleSince: new Date(w.now),
                  groups: w.random() < 0.3 ? ['lab-b'] : worker.groups,
                };
          w.workers.set(worker.uuid, changed);
          state.workerChanged(changed);
        } else if (dice < 0.8) {
          // Time passes: requests whose validAfter came become ready (as the timekeeper reports).
          w.tick(Math.floor(w.random() * 3000));
          for (const request of w.requests.values()) {
            if (request.state === 'WAITING') state.requestBecameReady(request.id, w.now);
          }
        } else {
          const expected = referenceMatches(
            [...w.requests.values()],
            [...w.workers.values()],
            new Date(w.now),
          );
          // A pass may only be skipped when nothing is pending; the reference then expects nothing.
          const planned = state.pending ? state.plan(w.now) : [];
          expect(planned).toEqual(expected);
          for (const match of planned) {
            w.requests.set(match.requestId, {
              ...w.requests.get(match.requestId)!,
              state: 'IN PROGRESS',
            });
            w.workers.set(match.workerUuid, {
              ...w.workers.get(match.workerUuid)!,
              state: 'RUNNING',
            });
          }
        }
      }
    }
  });

  it('a pass costs the distinct asks, not the backlog', () => {
    const state = new MatchingState();
    const deadline = new Date(10_000_000);
    for (let id = 1; id <= 10_000; id++) {
      state.requestChanged(
        {
          id,
          state: 'WAITING',
          priority: 8,
          queueSeq: id,
          caps: { board: 'missing' },
          ownerGroups: [],
          anyGroup: false,
          validAfter: new Date(0),
          deadline,
        },
        1000,
      );
    }
    expect(state.queue.askCount).toBe(1);
    state.workerChanged({
      uuid: 'w1',
      state: 'IDLE',
      caps: { board: 'rpi4' },
      groups: [],
      idleSince: new Date(0),
    });
    // The idle worker cannot serve the one ask: nothing to do, and the index is not scanned per request.
    expect(state.plan(1000)).toEqual([]);
    state.requestChanged(
      {
        id: 10_001,
        state: 'WAITING',
        priority: 16,
        queueSeq: 10_001,
        caps: { board: 'rpi4' },
        ownerGroups: [],
        anyGroup: false,
        validAfter: new Date(0),
        deadline,
      },
      1000,
    );
    expect(state.plan(1000)).toEqual([{ requestId: 10_001, workerUuid: 'w1' }]);
  });

  it('an arrival does not take a worker that a request ahead of it is due to get', () => {
    const state = new MatchingState();
    const deadline = new Date(10_000_000);
    const request = (id: number, priority: number): MatchableRequest => ({
      id,
      state: 'WAITING',
      priority,
      queueSeq: id,
      caps: { board: 'rpi4' },
      ownerGroups: [],
      anyGroup: false,
      validAfter: new Date(0),
      deadline,
    });
    state.workerChanged(
      { uuid: 'w1', state: 'IDLE', caps: { board: 'rpi4' }, groups: [], idleSince: new Date(0) },
      false,
    );
    // Request 1 just became servable (its pass is pending): the arrival must not go first.
    state.requestChanged(request(1, 8), 1000);
    expect(state.planArrival(request(2, 1), 1000)).toBeNull();
    expect(state.plan(1000)).toEqual([{ requestId: 1, workerUuid: 'w1' }]);
  });

  it('an arrival waits behind an earlier request of its ask that holds the head', () => {
    const state = new MatchingState();
    const deadline = new Date(10_000_000);
    const request = (id: number, priority: number): MatchableRequest => ({
      id,
      state: 'WAITING',
      priority,
      queueSeq: id,
      caps: { board: 'rpi4' },
      ownerGroups: [],
      anyGroup: false,
      validAfter: new Date(0),
      deadline,
    });
    // A pair the database refused lastingly: both back in memory, no pass pending.
    state.requestChanged(request(1, 4), 1000, false);
    state.workerChanged(
      { uuid: 'w1', state: 'IDLE', caps: { board: 'rpi4' }, groups: [], idleSince: new Date(0) },
      false,
    );
    expect(state.planArrival(request(2, 9), 1000)).toBeNull();
    expect(state.queue.get(2)).toBeUndefined();
    // A higher priority goes ahead of it, as the pass would order them.
    expect(state.planArrival(request(3, 1), 1000)).toEqual({ requestId: 3, workerUuid: 'w1' });
  });

  it('counts the same work per event at a backlog of 1 000 and of 100 000', () => {
    const request = (id: number, board: string) => waitingRequest(id, { board });
    const worker = (uuid: string, board: string): MatchableWorker => ({
      uuid,
      state: 'IDLE',
      caps: { board, arch: 'arm64' },
      groups: [],
      idleSince: new Date(0),
    });
    const workPerEvent = (backlog: number) => {
      const state = new MatchingState();
      // The backlog: unservable requests spread over 5 asks, and 20 idle workers.
      for (let id = 1; id <= backlog; id++)
        state.requestChanged(request(id, `gone-${id % 5}`), 1000);
      for (let w = 0; w < 20; w++) state.workerChanged(worker(`w${w}`, `board-${w % 4}`));
      state.plan(1000);
      const counted: number[][] = [];
      const measure = (event: () => void) => {
        const before = Object.values(state.work());
        event();
        if (state.pending) state.plan(1000);
        counted.push(Object.values(state.work()).map((n, i) => n - before[i]));
      };
      let id = backlog;
      measure(() => state.requestChanged(request(++id, 'gone-1'), 1000)); // unservable arrival
      measure(() => state.requestChanged(request(++id, 'board-2'), 1000)); // servable arrival
      measure(() => state.planArrival(request(++id, 'board-3'), 1000)); // matched at create
      measure(() => state.workerChanged(worker('w-new', 'gone-3'))); // a worker for old asks
      measure(() => state.workerChanged(worker('w-spare', 'board-1'))); // an idle worker
      return counted;
    };
    const small = workPerEvent(1_000);
    const large = workPerEvent(100_000);
    expect(large).toEqual(small);
    // And the work is there to be counted (the events did look at asks and workers).
    expect(small.flat().reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('with rich asks too: equal asks however written share one group, and the work per event does not grow with the backlog', () => {
    // Made canonical as RequestsService.create makes them.
    const request = (id: number, caps: unknown) => waitingRequest(id, normalizeCapsQuery(caps));
    const worker = (uuid: string, caps: Caps): MatchableWorker => ({
      uuid,
      state: 'IDLE',
      caps: { arch: 'arm64', ram_gb: '4', ...caps },
      groups: [],
      idleSince: new Date(0),
    });
    // Five asks no idle worker serves, each written two ways a tester might.
    const unservable = (id: number): unknown =>
      [
        [{ board: 'gone-0' }, { board: ['gone-0'] }],
        [{ board: ['gone-1', 'gone-x'] }, { board: ['gone-x', 'gone-1', 'gone-1'] }],
        [{ ram_gb: { min: 64 } }, { ram_gb: { min: 64.0 } }],
        [
          { board: 'gone-3', rev: { not: ['a', 'b'] } },
          { rev: { not: ['b', 'a', 'b'] }, board: 'gone-3' },
        ],
        [{ arch: { not: 'arm64' } }, { arch: { not: ['arm64'] } }],
      ][id % 5][Math.floor(id / 5) % 2];
    const workPerEvent = (backlog: number) => {
      const state = new MatchingState();
      for (let id = 1; id <= backlog; id++) state.requestChanged(request(id, unservable(id)), 1000);
      expect(state.queue.askCount).toBe(5);
      for (let w = 0; w < 20; w++)
        state.workerChanged(worker(`w${w}`, { board: `board-${w % 4}` }));
      expect(state.plan(1000)).toEqual([]);
      const counted: number[][] = [];
      const matched: number[] = [];
      const measure = (event: () => unknown) => {
        const before = Object.values(state.work());
        const arrival = event();
        const planned = state.pending ? state.plan(1000) : [];
        matched.push(planned.length + (arrival && typeof arrival === 'object' ? 1 : 0));
        counted.push(Object.values(state.work()).map((n, i) => n - before[i]));
      };
      let id = backlog;
      const arrive = (caps: unknown) => state.requestChanged(request(++id, caps), 1000);
      measure(() => arrive({ board: ['gone-x', 'gone-1'] })); // unservable arrival, an old ask
      measure(() => arrive({ board: ['board-2', 'nope'] })); // servable: any of
      measure(() => arrive({ ram_gb: { max: 4, min: 2 }, board: 'board-0' })); // servable: range
      measure(() => arrive({ board: { not: ['board-0', 'board-1', 'board-2'] } })); // not
      measure(() =>
        state.planArrival(request(++id, { board: 'board-3', ram_gb: { min: 1 } }), 1000),
      );
      measure(() => state.workerChanged(worker('w-new', { board: 'gone-3' }))); // serves ask 3
      measure(() => state.workerChanged(worker('w-big', { board: 'x', ram_gb: '128' }))); // ask 2
      measure(() => state.workerChanged(worker('w-spare', { board: 'board-1' }))); // an idle worker
      // Each event did what it says: every servable arrival and new worker made its match.
      expect(matched).toEqual([0, 1, 1, 1, 1, 1, 1, 0]);
      return counted;
    };
    const small = workPerEvent(1_000);
    const large = workPerEvent(100_000);
    expect(large).toEqual(small);
    expect(small.flat().reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
