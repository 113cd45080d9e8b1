import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Actor } from '../auth/actor';
import { DomainEventBus } from '../events/domain-event-bus';
import { RequestDetails, RequestsService } from './requests.service';
import { reachableFrom, RequestState } from './request-state';

/** How a wait ended: the state was reached, can never be reached, or the time ran out. */
export type WaitResult = 'reached' | 'unreachable' | 'timeout';

export interface WaitOutcome {
  details: RequestDetails;
  result: WaitResult;
}

/** The verdict on a request in `state` for a wait on `wanted`, or null: keep waiting. */
export function verdictOf(state: RequestState, wanted: readonly RequestState[]): WaitResult | null {
  if (wanted.includes(state)) return 'reached';
  const reachable = reachableFrom(state);
  return wanted.some((s) => reachable.has(s)) ? null : 'unreachable';
}

/**
 * Waits without polling for a request to reach one of some states (API v2's `waitFor`). One
 * listener on the event bus for all waits wakes those of the request that changed — events
 * committed by other instances reach the bus too — and each woken wait reads the request from
 * the database again, so what it answers is what is stored, never what an event said.
 */
@Injectable()
export class RequestWaiter implements OnModuleInit, OnModuleDestroy {
  private readonly waiting = new Map<number, Set<() => void>>();
  private unsubscribe: (() => void) | null = null;
  /** Aborted when the server stops: open waits answer then, so none holds the shutdown up. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly requests: RequestsService,
    private readonly bus: DomainEventBus,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.on('request.state-changed', (event) => {
      for (const wake of this.waiting.get(event.request.id) ?? []) wake();
    });
  }

  onModuleDestroy(): void {
    this.stopping.abort();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Open waits (for tests and metrics: every wait that ended is gone from here). */
  get size(): number {
    let n = 0;
    for (const set of this.waiting.values()) n += set.size;
    return n;
  }

  /**
   * Answers as soon as request `id` is in one of `wanted`, or can never get there, or after
   * `timeoutMs`; `abort` (the client went away) or the server stopping ends the wait early,
   * answering as at a timeout.
   */
  async waitFor(
    id: number,
    wanted: readonly RequestState[],
    timeoutMs: number,
    actor: Actor,
    clientGone?: AbortSignal,
  ): Promise<WaitOutcome> {
    const abort = clientGone
      ? AbortSignal.any([clientGone, this.stopping.signal])
      : this.stopping.signal;
    let changed: boolean;
    let wake: () => void = () => undefined;
    const listener = () => {
      changed = true;
      wake();
    };
    this.listen(id, listener);
    const end = Date.now() + timeoutMs;
    try {
      for (;;) {
        changed = false;
        const details = await this.requests.get(id, actor);
        const verdict = verdictOf(details.request.state, wanted);
        if (verdict) return { details, result: verdict };
        // A change committed while it was being read: read again at once.
        if (changed) continue;
        const left = end - Date.now();
        if (left <= 0 || abort.aborted) return { details, result: 'timeout' };
        const woken = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => done(false), left);
          const onAbort = () => done(false);
          const done = (event: boolean) => {
            clearTimeout(timer);
            abort.removeEventListener('abort', onAbort);
            wake = () => undefined;
            resolve(event);
          };
          wake = () => done(true);
          abort.addEventListener('abort', onAbort, { once: true });
        });
        // At the timeout, the request as it is then (a change may have just committed).
        if (!woken) {
          const last = await this.requests.get(id, actor);
          const verdict = verdictOf(last.request.state, wanted);
          return { details: last, result: verdict ?? 'timeout' };
        }
      }
    } finally {
      this.forget(id, listener);
    }
  }

  private listen(id: number, listener: () => void): void {
    let set = this.waiting.get(id);
    if (!set) this.waiting.set(id, (set = new Set()));
    set.add(listener);
  }

  private forget(id: number, listener: () => void): void {
    const set = this.waiting.get(id);
    if (!set) return;
    set.delete(listener);
    if (set.size === 0) this.waiting.delete(id);
  }
}
