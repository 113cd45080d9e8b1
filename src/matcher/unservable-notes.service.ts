import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { describeCapAsk } from '../common/caps-query';
import { Clock } from '../common/clock';
import { DatabaseOutage } from '../database/database-outage.service';
import { Transactions } from '../database/transactions.service';
import { RequestView, WorkerView } from '../events/domain-event';
import { DomainEventBus } from '../events/domain-event-bus';
import {
  Ask,
  capsNoOfferSatisfies,
  capsSatisfied,
  groupsAdmit,
  isCompatible,
  Offer,
} from '../common/ask';
import { NoteAtCreate, UnservableCheck, UnservableDecision } from '../requests/note-at-create';
import { RequestRepository } from '../requests/request.repository';
import { WorkerRepository } from '../workers/worker.repository';

/** How long the list of registered workers is reused (other instances may register workers). */
const OFFERS_TTL_MS = 5_000;
/** One log line per kind of unservable ask and minute, not one per request of a burst. */
const LOG_EVERY_MS = 60_000;
/** Ids per UPDATE … IN (…), well below SQLite's limit of bound parameters. */
const CHUNK = 500;

/** Why no offer can serve `ask`, or null if one can. */
export function unservableReason(ask: Ask, offers: readonly Offer[]): string | null {
  if (offers.some((offer) => isCompatible(offer, ask))) return null;
  const caps = JSON.stringify(ask.caps);
  const groups = JSON.stringify(ask.ownerGroups);
  if (offers.length === 0) return 'no worker is registered';
  const withCaps = offers.filter((offer) => capsSatisfied(ask.caps, offer.caps));
  if (withCaps.length === 0)
    return `no registered worker has the caps ${caps}${capsNobodyHas(ask, offers)}`;
  if (!withCaps.some((offer) => groupsAdmit(offer.groups, ask)))
    return `no registered worker with the caps ${caps} is in the groups ${groups}`;
  return `no registered worker has the caps ${caps} in the groups ${groups}`;
}

/** The note of an ask no offer can serve, and why; null if one can. */
function decisionFor(ask: Ask, offers: readonly Offer[]): UnservableDecision | null {
  const reason = unservableReason(ask, offers);
  if (reason === null) return null;
  return { reason, note: `${reason}: it waits until one registers or its deadline passes` };
}

/**
 * The caps of the ask that no offer satisfies on its own, named with their rule
 * (` (none has ram_gb a number ≥ 8)`). Said only when it adds to the caps already shown: an
 * ask of one exact cap is its own explanation; when every cap is met by some worker but none
 * meets them all, there is no single cap to name.
 */
function capsNobodyHas(ask: Ask, offers: readonly Offer[]): string {
  const keys = Object.keys(ask.caps);
  if (keys.length === 1 && typeof ask.caps[keys[0]] === 'string') return '';
  const missing = capsNoOfferSatisfies(ask.caps, offers);
  if (missing.length === 0) return '';
  return ` (none has ${missing.map((key) => describeCapAsk(key, ask.caps[key])).join('; none has ')})`;
}

/**
 * A request that no registered worker can ever serve (caps nobody has, groups nobody is in) is
 * accepted, as upstream does, but not silently: it is logged and the request gets a note saying
 * why (requests.unservable_note). The create writes the note in its own INSERT when the list of
 * registered workers is at hand (NoteAtCreate); otherwise the list is read after the create
 * committed and the note written then. A worker that registers or changes and can serve it
 * clears the note. Beside the matcher (it reads workers and requests both).
 */
@Injectable()
export class UnservableNotes implements UnservableCheck, OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(UnservableNotes.name);
  private offers: { list: Offer[]; at: number } | null = null;
  private readonly loggedAt = new Map<string, number>();
  /** Notes to write, by note: a burst of creates becomes one UPDATE per note. */
  private readonly pending = new Map<string, number[]>();
  /** Checks and writes under way, awaited at shutdown so none meets a closed database. */
  private readonly working = new Set<Promise<void>>();
  private flushing: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly tx: Transactions,
    private readonly bus: DomainEventBus,
    private readonly clock: Clock,
    private readonly outage: DatabaseOutage,
    private readonly requests: RequestRepository,
    private readonly workers: WorkerRepository,
    private readonly noteAtCreate: NoteAtCreate,
  ) {}

  onModuleInit(): void {
    // Only the instance that made a change checks it and writes the notes (a create reports
    // itself through NoteAtCreate); the events other instances relay (remote) only make the
    // cached list of workers stale.
    this.noteAtCreate.attach(this);
    for (const type of ['worker.registered', 'worker.updated'] as const)
      this.bus.on(type, (e) => {
        if (e.remote) this.offers = null;
        else this.track(this.workerChanged(e.worker));
      });
    this.bus.on('worker.deregistered', () => {
      this.offers = null;
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.noteAtCreate.attach(null);
    this.stopping = true;
    while (this.working.size > 0) await Promise.allSettled([...this.working]);
  }

  private track(work: Promise<void>): void {
    if (this.stopping) return;
    this.working.add(work);
    void work.finally(() => this.working.delete(work));
  }

  /** The note of a request (null: servable, or not checked). */
  async noteOf(requestId: number): Promise<string | null> {
    return this.tx.read((em) => this.requests.unservableNoteOf(em, requestId));
  }

  decide(ask: Ask): UnservableDecision | null | undefined {
    const offers = this.freshOffers();
    return offers === null ? undefined : decisionFor(ask, offers);
  }

  created(request: RequestView, decided: UnservableDecision | null | undefined): void {
    if (decided === undefined) return this.track(this.checkCreated(request));
    if (decided !== null) this.logOnce(request, decided.reason);
  }

  private async checkCreated(request: RequestView): Promise<void> {
    try {
      const decided = decisionFor(request, await this.registeredOffers());
      if (decided === null) return;
      this.logOnce(request, decided.reason);
      const { note } = decided;
      this.pending.set(note, [...(this.pending.get(note) ?? []), request.id]);
      await this.flush();
    } catch (error) {
      if (!this.outage.failed(`unservable check of request ${request.id}`, error))
        this.logger.error(`request ${request.id}: checking it can be served failed: ${error}`, {
          requestId: request.id,
        });
    }
  }

  /** Writes the pending notes, in as few statements as the burst allows (one flush at a time). */
  private flush(): Promise<void> {
    this.flushing ??= (async () => {
      // Let the rest of a burst of creates join this write.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.pending.size > 0) {
        const batch = [...this.pending];
        this.pending.clear();
        await this.tx.run('system:unservable-notes', async (uow) => {
          for (const [note, ids] of batch) {
            for (let i = 0; i < ids.length; i += CHUNK) {
              await this.requests.noteUnservable(uow.em, ids.slice(i, i + CHUNK), note);
            }
          }
        });
      }
    })().finally(() => {
      this.flushing = null;
      // A note added as the loop ended joined this promise: it gets a flush of its own.
      if (this.pending.size > 0) void this.track(this.flush());
    });
    return this.flushing;
  }

  /** Clears the notes of WAITING requests that `worker` can serve. */
  private async workerChanged(worker: WorkerView): Promise<void> {
    this.offers = null;
    try {
      await this.tx.run('system:unservable-notes', async (uow) => {
        const noted = await this.requests.notedWaiting(uow.em);
        const servable = noted.filter((r) => isCompatible(worker, r)).map((r) => r.id);
        if (servable.length > 0) await this.requests.clearUnservableNotes(uow.em, servable);
      });
    } catch (error) {
      if (!this.outage.failed(`unservable notes after worker ${worker.uuid}`, error))
        this.logger.error(`worker ${worker.uuid}: clearing unservable notes failed: ${error}`, {
          workerUuid: worker.uuid,
        });
    }
  }

  /** The cached list of registered workers, or null when there is none or it is too old. */
  private freshOffers(): Offer[] | null {
    const offers = this.offers;
    return offers && performance.now() - offers.at < OFFERS_TTL_MS ? offers.list : null;
  }

  private async registeredOffers(): Promise<Offer[]> {
    const cached = this.freshOffers();
    if (cached) return cached;
    const now = performance.now();
    const workers = await this.tx.read((em) => this.workers.offers(em));
    this.offers = { list: workers.map((w) => ({ caps: w.caps, groups: w.groups })), at: now };
    return this.offers.list;
  }

  private logOnce(request: RequestView, reason: string): void {
    const now = this.clock.now().getTime();
    const last = this.loggedAt.get(reason);
    if (last !== undefined && now - last < LOG_EVERY_MS) return;
    this.loggedAt.set(reason, now);
    this.logger.warn(
      `request ${request.id}: accepted, but ${reason}; it waits until such a worker registers or its deadline passes (logged once a minute for the same reason)`,
      { requestId: request.id },
    );
  }
}
