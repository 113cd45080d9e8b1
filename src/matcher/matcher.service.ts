import { systemActor } from '../auth/actor';
import { Injectable, Logger, BeforeApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { beginActivity } from '../diagnostics/loop-activity';
import { RequestView, WorkerView } from '../events/domain-event';
import { DomainEventBus } from '../events/domain-event-bus';
import { RequestState } from '../requests/request-state';
import { RequestsService } from '../requests/requests.service';
import { JobSaga } from '../scheduling/job-saga.service';
import { WorkerNotFoundError } from '../workers/worker.errors';
import { WorkerState } from '../workers/worker-state';
import { WorkersService } from '../workers/workers.service';
import { MatchAtCreate } from '../requests/match-at-create';
import { PlannedMatch } from './match-planner';
import { MatchingState } from './matching-state';

export interface MatcherStats {
  passes: number;
  matches: number;
  /** Of those, matches made in the request's own create transaction. */
  matchesAtCreate: number;
  conflicts: number;
  waiting: number;
  asks: number;
  idleWorkers: number;
}

/**
 * Keeps the matcher's indexes in step with domain events and runs a matching pass whenever
 * something could change the answer: a request arrives or becomes ready, a worker becomes idle,
 * groups or caps change. Passes are serialized and coalesced; each planned match is committed by
 * JobSaga.start in its own transaction, which re-checks everything (the database decides,
 * not this memory). A refused match is put back into the indexes from the database.
 *
 * It runs only on the scheduling instance (src/cluster/scheduler-election.service.ts), which
 * calls startScheduling (the indexes are rebuilt from the database, as at a fresh start) and
 * stopScheduling (leadership lost); elsewhere it ignores events and keeps no indexes.
 */
/** How soon a worker that could not be read back after a refused claim is asked for again. */
const RELEASE_RETRY_MS = 1_000;
/** Reads a refused match's request back (RequestsService.get takes who reads). */
const RECONCILER = systemActor('matcher');

@Injectable()
export class MatcherService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(MatcherService.name);
  private state = new MatchingState();
  private active = false;
  private scheduled = false;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly counters = { passes: 0, matches: 0, matchesAtCreate: 0, conflicts: 0 };

  constructor(
    private readonly bus: DomainEventBus,
    private readonly requests: RequestsService,
    private readonly workers: WorkersService,
    private readonly saga: JobSaga,
    private readonly clock: Clock,
    private readonly matchAtCreate: MatchAtCreate,
  ) {}

  onModuleInit(): void {
    this.bus.on('request.created', (e) => this.onRequest(e.request));
    this.bus.on('request.updated', (e) => this.onRequest(e.request));
    this.bus.on('request.state-changed', (e) => this.onRequest(e.request));
    this.bus.on('worker.registered', (e) => this.onWorker(e.worker));
    this.bus.on('worker.state-changed', (e) => this.onWorker(e.worker));
    this.bus.on('worker.updated', (e) => this.onWorker(e.worker));
    this.bus.on('worker.deregistered', (e) => {
      if (this.active) this.state.workerRemoved(e.worker.uuid);
    });
    this.matchAtCreate.attach({
      claim: (request, now) => this.claimAtCreate(request, now),
      settled: (requestId, uuid, started) => {
        if (started) {
          this.counters.matches++;
          this.counters.matchesAtCreate++;
          this.logger.log(`request ${requestId} matched with worker ${uuid} as it was created`, {
            requestId,
            workerUuid: uuid,
          });
        } else void this.releaseWorker(uuid);
      },
    });
  }

  /**
   * The indexes are rebuilt from the database: the queue survives any restart and any change of
   * the scheduling instance. Events that arrive meanwhile are applied as well: they are newer
   * than or as new as what the rebuild reads, and a stale view only costs a refused match.
   */
  async startScheduling(): Promise<void> {
    this.state = new MatchingState();
    this.active = true;
    const now = this.clock.now().getTime();
    for (const request of await this.requests.waiting())
      this.state.requestChanged(request, now, false);
    for (const worker of await this.workers.all()) this.state.workerChanged(worker, false);
    this.state.markEverything();
    this.trigger();
  }

  /** No new pass starts; the one running finishes its commits. */
  async stopScheduling(): Promise<void> {
    this.active = false;
    await this.running;
    this.state = new MatchingState();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.matchAtCreate.attach(null);
    await this.running;
  }

  /** The timekeeper says validAfter has come for this request. */
  requestBecameReady(id: number): void {
    if (this.active && this.state.requestBecameReady(id, this.clock.now().getTime()))
      this.trigger();
  }

  /** Resolves when no pass is pending or running (tests and benchmarks). */
  async idleUntilSettled(): Promise<void> {
    while (this.scheduled || this.running) {
      await (this.running ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  stats(): MatcherStats {
    return {
      ...this.counters,
      waiting: this.state.queue.requestCount,
      asks: this.state.queue.askCount,
      idleWorkers: this.state.idle.size,
    };
  }

  /**
   * A new request's create transaction asks for its worker now. A pass that earlier events are
   * due runs first, here (as its setImmediate would have); if it matched anything, or a pass is
   * running, the request waits for the pass its request.created event triggers, as before.
   * Otherwise nothing is pending and MatchingState.planArrival makes the pass's choice for it.
   */
  private claimAtCreate(request: RequestView, now: number): string | null {
    // Only the scheduling instance matches (its indexes are the only ones filled).
    if (this.stopped || !this.active || this.running) return null;
    if (this.state.pending) {
      const planned = this.planPass();
      if (planned.length > 0) {
        this.run(planned);
        return null;
      }
    }
    return this.state.planArrival(request, now)?.workerUuid ?? null;
  }

  /** A worker claimed for a create that did not get the job: back as the database has it. */
  private async releaseWorker(uuid: string): Promise<void> {
    try {
      this.onWorker(await this.workers.get(uuid));
    } catch (error) {
      // Gone from the database: forget it. Not readable now (an outage): ask again shortly
      // rather than lose an idle worker from the index for good.
      if (error instanceof WorkerNotFoundError) this.state.workerRemoved(uuid);
      else if (!this.stopped && this.active)
        setTimeout(() => void this.releaseWorker(uuid), RELEASE_RETRY_MS).unref();
    }
  }

  private onRequest(request: RequestView, rematch = true): void {
    if (this.active && this.state.requestChanged(request, this.clock.now().getTime(), rematch))
      this.trigger();
  }

  private onWorker(worker: WorkerView, rematch = true): void {
    if (this.active && this.state.workerChanged(worker, rematch)) this.trigger();
  }

  private trigger(): void {
    if (this.scheduled || this.stopped || !this.active) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // A running pass loops until nothing is dirty.
      if (!this.running) this.run([]);
    });
  }

  /** Commits `planned` (a pass already made), then passes until nothing is pending. */
  private run(planned: PlannedMatch[]): void {
    this.running = this.runPasses(planned).finally(() => {
      this.running = null;
      // A change that arrived as the last pass ended still gets its pass.
      if (this.state.pending) this.trigger();
    });
  }

  private async runPasses(planned: PlannedMatch[]): Promise<void> {
    // Each match is its own transaction; started together, they share one group commit.
    await Promise.all(planned.map((match) => this.commit(match)));
    while (!this.stopped && this.active && this.state.pending) {
      const next = this.planPass();
      await Promise.all(next.map((match) => this.commit(match)));
    }
  }

  private planPass(): PlannedMatch[] {
    const done = beginActivity('matcher');
    const planned = this.state.plan(this.clock.now().getTime());
    done();
    this.counters.passes++;
    return planned;
  }

  private async commit(match: PlannedMatch): Promise<void> {
    try {
      await this.saga.start(match.requestId, match.workerUuid);
      this.counters.matches++;
      this.logger.log(`request ${match.requestId} matched with worker ${match.workerUuid}`, {
        requestId: match.requestId,
        workerUuid: match.workerUuid,
      });
    } catch (error) {
      this.counters.conflicts++;
      this.logger.warn(
        `request ${match.requestId} / worker ${match.workerUuid}: match refused (${(error as Error).message}); re-reading both`,
        { requestId: match.requestId, workerUuid: match.workerUuid },
      );
      await this.reconcile(match);
    }
  }

  /**
   * Puts a refused match's request and worker back as the database has them. If both are still
   * WAITING and IDLE, the refusal was not a race but a lasting problem: they go back without
   * triggering another pass, so one bad pair cannot keep the matcher spinning.
   */
  private async reconcile(match: PlannedMatch): Promise<void> {
    const request = await this.requests.get(match.requestId, RECONCILER, { ownerName: false }).then(
      (d) => d.request,
      () => null,
    );
    const worker = await this.workers.get(match.workerUuid).catch(() => null);
    const lasting = request?.state === RequestState.Waiting && worker?.state === WorkerState.Idle;
    if (lasting)
      this.logger.error(
        `request ${match.requestId} / worker ${match.workerUuid}: refused although both are free`,
        { requestId: match.requestId, workerUuid: match.workerUuid },
      );
    if (!this.active) return;
    if (request) this.onRequest(request, !lasting);
    else this.state.queue.remove(match.requestId);
    if (worker) this.onWorker(worker, !lasting);
    else this.state.workerRemoved(match.workerUuid);
  }
}
