import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { Clock } from '../common/clock';
import { RequestView, WorkerView } from '../events/domain-event';
import { DomainEventBus } from '../events/domain-event-bus';
import { JobsService } from '../jobs/jobs.service';
import { RequestState } from '../requests/request-state';
import { RequestsService } from '../requests/requests.service';
import { WorkerState } from '../workers/worker-state';
import { WorkersService } from '../workers/workers.service';
import { IdleWorkerIndex } from './idle-worker-index';
import { PlannedMatch, planMatches } from './match-planner';
import { AskQueue, RequestQueueIndex } from './request-queue-index';

export interface MatcherStats {
  passes: number;
  matches: number;
  conflicts: number;
  waiting: number;
  asks: number;
  idleWorkers: number;
}

/**
 * Keeps the matcher's indexes in step with domain events and runs a matching pass whenever
 * something could change the answer: a request arrives or becomes ready, a worker becomes idle,
 * groups or caps change. Passes are serialized and coalesced; each planned match is committed by
 * JobsService.start in its own transaction, which re-checks everything (the database decides,
 * not this memory). A refused match is put back into the indexes from the database.
 */
@Injectable()
export class MatcherService
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(MatcherService.name);
  private readonly queue = new RequestQueueIndex();
  private readonly idle = new IdleWorkerIndex();
  private readonly dirtyAsks = new Set<AskQueue>();
  private readonly dirtyWorkers = new Set<string>();
  private everything = false;
  private scheduled = false;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly counters = { passes: 0, matches: 0, conflicts: 0 };

  constructor(
    private readonly bus: DomainEventBus,
    private readonly requests: RequestsService,
    private readonly workers: WorkersService,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.bus.on('request.created', (e) => this.onRequest(e.request));
    this.bus.on('request.updated', (e) => this.onRequest(e.request));
    this.bus.on('request.state-changed', (e) => this.onRequest(e.request));
    this.bus.on('worker.registered', (e) => this.onWorker(e.worker));
    this.bus.on('worker.state-changed', (e) => this.onWorker(e.worker));
    this.bus.on('worker.updated', (e) => this.onWorker(e.worker));
    this.bus.on('worker.deregistered', (e) => this.idle.remove(e.worker.uuid));
  }

  /** The indexes are rebuilt from the database: the queue survives any restart. */
  async onApplicationBootstrap(): Promise<void> {
    const now = this.clock.now().getTime();
    for (const request of await this.requests.waiting()) this.queue.upsert(request, now);
    for (const worker of await this.workers.all())
      if (worker.state === WorkerState.Idle) this.idle.upsert(worker);
    this.everything = true;
    this.trigger();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** The timekeeper says validAfter has come for this request. */
  requestBecameReady(id: number): void {
    const entry = this.queue.get(id);
    if (!entry || entry.validAfter > this.clock.now().getTime()) return;
    this.dirtyAsks.add(this.queue.markReady(id)!);
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
      waiting: this.queue.requestCount,
      asks: this.queue.askCount,
      idleWorkers: this.idle.size,
    };
  }

  private onRequest(request: RequestView, rematch = true): void {
    if (request.state !== RequestState.Waiting) {
      this.queue.remove(request.id);
      return;
    }
    const entry = this.queue.upsert(request, this.clock.now().getTime());
    if (entry.ready && rematch) {
      this.dirtyAsks.add(entry.ask);
      this.trigger();
    }
  }

  private onWorker(worker: WorkerView, rematch = true): void {
    if (worker.state !== WorkerState.Idle) {
      this.idle.remove(worker.uuid);
      return;
    }
    this.idle.upsert(worker);
    if (rematch) {
      this.dirtyWorkers.add(worker.uuid);
      this.trigger();
    }
  }

  private trigger(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.running) {
        // The running pass loops until nothing is dirty.
        return;
      }
      this.running = this.runPasses().finally(() => (this.running = null));
    });
  }

  private async runPasses(): Promise<void> {
    while (
      !this.stopped &&
      (this.everything || this.dirtyAsks.size > 0 || this.dirtyWorkers.size > 0)
    ) {
      const candidates = this.candidates();
      const planned = planMatches(this.queue, this.idle, candidates, this.clock.now().getTime());
      this.counters.passes++;
      for (const match of planned) await this.commit(match);
    }
  }

  /** Asks that something happened to, plus those a changed idle worker can serve. */
  private candidates(): AskQueue[] {
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
    this.everything = false;
    this.dirtyAsks.clear();
    this.dirtyWorkers.clear();
    return candidates;
  }

  private async commit(match: PlannedMatch): Promise<void> {
    try {
      await this.jobs.start(match.requestId, match.workerUuid);
      this.counters.matches++;
      this.logger.log(`request ${match.requestId} matched with worker ${match.workerUuid}`);
    } catch (error) {
      this.counters.conflicts++;
      this.logger.warn(
        `request ${match.requestId} / worker ${match.workerUuid}: match refused (${(error as Error).message}); re-reading both`,
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
    const request = await this.requests.get(match.requestId).then(
      (d) => d.request,
      () => null,
    );
    const worker = await this.workers.get(match.workerUuid).catch(() => null);
    const lasting = request?.state === RequestState.Waiting && worker?.state === WorkerState.Idle;
    if (lasting)
      this.logger.error(
        `request ${match.requestId} / worker ${match.workerUuid}: refused although both are free`,
      );
    if (request) this.onRequest(request, !lasting);
    else this.queue.remove(match.requestId);
    if (worker) this.onWorker(worker, !lasting);
    else this.idle.remove(match.workerUuid);
  }
}
