import { Injectable, Logger, BeforeApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { BinaryHeap } from '../common/binary-heap';
import { CancelTimer, Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { DatabaseOutage } from '../database/database-outage.service';
import { Transactions } from '../database/transactions.service';
import { JobView, RequestView } from '../events/domain-event';
import { DomainEventBus } from '../events/domain-event-bus';
import { JobRepository } from '../jobs/job.repository';
import { JobExpiryWarnings } from '../jobs/job-expiry-warnings.service';
import { JobsService } from '../jobs/jobs.service';
import { MatcherService } from '../matcher/matcher.service';
import { RequestRepository } from '../requests/request.repository';
import { RequestState } from '../requests/request-state';
import { RequestsService } from '../requests/requests.service';
import { JobSaga } from '../scheduling/job-saga.service';
import { beginActivity } from '../diagnostics/loop-activity';
import { DueItem, dueBefore } from './due-item';

const SWEEP = 'timekeeper:sweep';
const NEXT_DUE = 'timekeeper:next-due';

/**
 * Deadlines, validAfter, job expiry warnings, job timeouts and idle deadlines. What is due is kept in a heap with one timer armed for
 * the earliest moment; the heap is rebuilt from the database at start-up, so a restart loses no
 * timer. A periodic sweep of the database catches anything overdue that memory missed. Every
 * handler re-checks the stored times, so stale heap entries (after an update) do nothing.
 * Only the scheduling instance keeps timers (src/cluster/scheduler-election.service.ts).
 */
@Injectable()
export class Timekeeper implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(Timekeeper.name);
  private due = new BinaryHeap<DueItem>(dueBefore);
  private active = false;
  private cancelArmed: CancelTimer | null = null;
  private armedAt: number | null = null;
  private processing: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly bus: DomainEventBus,
    private readonly requests: RequestsService,
    private readonly jobs: JobsService,
    private readonly saga: JobSaga,
    private readonly matcher: MatcherService,
    private readonly tx: Transactions,
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly outage: DatabaseOutage,
    private readonly expiry: JobExpiryWarnings,
    private readonly requestRepository: RequestRepository,
    private readonly jobRepository: JobRepository,
  ) {}

  onModuleInit(): void {
    this.bus.on('request.created', (e) => this.watchRequest(e.request));
    this.bus.on('request.updated', (e) => this.watchRequest(e.request));
    this.bus.on('job.started', (e) => this.watchJob(e.job));
    this.bus.on('job.prolonged', (e) => this.watchJob(e.job));
  }

  /** Timers are rebuilt from the database, as at a fresh start. */
  async startScheduling(): Promise<void> {
    this.due = new BinaryHeap<DueItem>(dueBefore);
    this.active = true;
    for (const request of await this.requests.waiting()) this.watchRequest(request, false);
    for (const job of await this.jobs.activeJobs()) this.watchJob(job, false);
    const interval = setInterval(() => void this.sweepInBackground(), this.config.sweepIntervalMs);
    interval.unref();
    this.scheduler.addInterval(SWEEP, interval);
    this.logger.log(`${this.due.size} timers rebuilt from the database`);
    await this.processDue();
  }

  /** Leadership lost: no timer fires here any more; the one being handled finishes. */
  async stopScheduling(): Promise<void> {
    this.active = false;
    this.disarm();
    await this.processing;
    this.due = new BinaryHeap<DueItem>(dueBefore);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.disarm();
    await this.processing;
  }

  private disarm(): void {
    this.cancelArmed?.();
    this.cancelArmed = null;
    this.armedAt = null;
    if (this.scheduler.doesExist('interval', SWEEP)) this.scheduler.deleteInterval(SWEEP);
  }

  /** Finds overdue work in the database (not in memory) and hands it to the services. */
  async sweep(): Promise<void> {
    if (this.stopped || !this.active) return;
    const done = beginActivity('sweep');
    try {
      await this.sweepOnce();
    } finally {
      done();
    }
  }

  private async sweepOnce(): Promise<void> {
    const now = this.clock.now();
    const [overdueRequests, overdueJobs, idleJobs, warnJobs] = await this.tx.read(async (em) => [
      await this.requestRepository.overdueIds(em, now),
      await this.jobRepository.timedOutIds(em, now),
      await this.jobRepository.idleIds(em, now),
      await this.expiry.dueAt(em, now),
    ]);
    for (const id of overdueRequests)
      await this.handle({ at: now.getTime(), kind: 'deadline', id });
    for (const id of warnJobs) await this.handle({ at: now.getTime(), kind: 'job-expiring', id });
    for (const id of overdueJobs) await this.handle({ at: now.getTime(), kind: 'job-timeout', id });
    for (const id of idleJobs) await this.handle({ at: now.getTime(), kind: 'job-idle', id });
  }

  /** The periodic sweep: a failure is logged and the next tick tries again. */
  private async sweepInBackground(): Promise<void> {
    try {
      await this.sweep();
      this.outage.succeeded();
    } catch (error) {
      if (!this.outage.failed('timekeeper sweep', error))
        this.logger.error(`sweep failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  /** Number of pending timers (diagnostics). */
  get pending(): number {
    return this.due.size;
  }

  private watchRequest(request: RequestView, process = true): void {
    if (!this.active || request.state !== RequestState.Waiting) return;
    if (request.validAfter.getTime() > this.clock.now().getTime()) {
      this.due.push({ at: request.validAfter.getTime(), kind: 'valid-after', id: request.id });
    }
    this.due.push({ at: request.deadline.getTime(), kind: 'deadline', id: request.id });
    if (process) this.arm();
  }

  private watchJob(job: JobView, process = true): void {
    if (!this.active || job.endedAt) return;
    const warnAt = this.expiry.warnAt(job);
    if (warnAt !== null) this.due.push({ at: warnAt, kind: 'job-expiring', id: job.requestId });
    this.due.push({ at: job.timeoutAt.getTime(), kind: 'job-timeout', id: job.requestId });
    // Activity only moves idle_at in the database (no event): when this fires, the handler
    // reads the stored deadline and watches it again if it moved.
    if (job.idleAt && job.idleAt < job.timeoutAt)
      this.due.push({ at: job.idleAt.getTime(), kind: 'job-idle', id: job.requestId });
    if (process) this.arm();
  }

  /** An idle deadline that activity moved forward is watched at its new moment. */
  private watchIdleAgain(requestId: number, idleAt: Date | null): void {
    if (idleAt && this.active)
      this.due.push({ at: idleAt.getTime(), kind: 'job-idle', id: requestId });
  }

  /** One timer, for the earliest due moment. */
  private arm(): void {
    if (this.stopped || !this.active) return;
    const next = this.due.peek();
    if (!next || next.at === this.armedAt) return;
    this.cancelArmed?.();
    this.armedAt = next.at;
    this.cancelArmed = this.clock.schedule(
      new Date(next.at),
      () => {
        this.armedAt = null;
        this.cancelArmed = null;
        void this.processDue();
      },
      NEXT_DUE,
    );
  }

  private processDue(): Promise<void> {
    if (this.processing) {
      this.again = true;
      return this.processing;
    }
    this.processing = (async () => {
      do {
        this.again = false;
        const now = this.clock.now().getTime();
        while (!this.stopped && this.active && (this.due.peek()?.at ?? Infinity) <= now)
          await this.handle(this.due.pop()!);
      } while (this.again && !this.stopped && this.active);
    })().finally(() => {
      this.processing = null;
      this.arm();
    });
    return this.processing;
  }

  private async handle(item: DueItem): Promise<void> {
    try {
      if (item.kind === 'valid-after') this.matcher.requestBecameReady(item.id);
      else if (item.kind === 'deadline') await this.requests.timeout(item.id);
      else if (item.kind === 'job-expiring') await this.expiry.warn(item.id);
      else if (item.kind === 'job-timeout') await this.saga.expire(item.id);
      else await this.watchIdleAgain(item.id, await this.saga.expireIdle(item.id));
    } catch (error) {
      // The sweep finds it again once the database is back.
      if (this.outage.failed(`${item.kind} of request ${item.id}`, error)) return;
      this.logger.error(`${item.kind} of request ${item.id} failed: ${(error as Error).message}`, {
        requestId: item.id,
      });
    }
  }
}
