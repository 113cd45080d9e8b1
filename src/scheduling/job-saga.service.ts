import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { systemActor } from '../auth/actor';
import { canServe, Offer } from '../common/ask';
import { ConcurrentModificationError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { UnitOfWork } from '../database/unit-of-work';
import { JobView, viewOfJob } from '../events/domain-event';
import { IDLE_REASON, idleDeadline } from '../jobs/idle-deadline';
import { JobEntity } from '../jobs/job.entity';
import { JobRepository } from '../jobs/job.repository';
import { TunnelService } from '../jobs/tunnel.service';
import { emitJobEvent } from '../jobs/job-events';
import { RequestEntity } from '../requests/request.entity';
import { RequestRepository } from '../requests/request.repository';
import type { EndedHow } from '../requests/request-ending';
import { JobOutcome, RequestJobs } from '../requests/request-jobs.port';
import { RequestState } from '../requests/request-state';
import { endRequest, requestStateMachine } from '../requests/request-state-machine';
import { isDraining } from '../workers/maintenance-order';
import { WorkerEntity } from '../workers/worker.entity';
import { WorkerRepository } from '../workers/worker.repository';
import { WorkerJobs } from '../workers/worker-jobs.port';
import { WorkerState } from '../workers/worker-state';
import { workerStateMachine } from '../workers/worker-state-machine';
import { invalidateUnsatisfiable } from './invalidate-unsatisfiable';

const MATCHER = systemActor('matcher');
const TIMEKEEPER = systemActor('timekeeper');

/**
 * The saga of a job, in one place: every change that moves a request and a worker together.
 * A job starts (the matcher's match, or a create matched at once: request WAITING → IN PROGRESS,
 * worker IDLE → RUNNING, the job row), ends (close, job timeout, idle: the request DONE, the
 * worker cleaned or drained; or the worker fails or is taken away: the request FAILS), and
 * WAITING requests that no registered worker can satisfy any more become INVALID. Each runs in
 * one transaction, so a crash never leaves one aggregate changed without the other.
 *
 * requests/ and workers/ sit below this and never import it: what they need of it inside
 * their own transactions (a close ends the job, a failing worker fails its job) they ask
 * through the ports they define, RequestJobs and WorkerJobs, which this implements.
 */
@Injectable()
export class JobSaga implements RequestJobs, WorkerJobs {
  constructor(
    private readonly tx: Transactions,
    private readonly config: AppConfig,
    private readonly requests: RequestRepository,
    private readonly workers: WorkerRepository,
    private readonly jobs: JobRepository,
    private readonly tunnels: TunnelService,
  ) {}

  /**
   * Binds a ready request to an idle worker. Both are re-read and re-checked inside the
   * transaction, and both state changes are compare-and-set: if anything moved since the
   * matcher looked, this throws and nothing is written.
   */
  async start(requestId: number, workerUuid: string): Promise<JobView> {
    return this.tx.run(MATCHER.label, async (uow) => {
      const request = await this.requests.findByIdOrFail(uow.em, requestId);
      const worker = await this.workers.findByUuidOrFail(uow.em, workerUuid);
      const refusal = whyNotStartable(request, worker, uow.now);
      if (refusal) throw new Error(refusal);
      return this.startChecked(uow, request, worker);
    });
  }

  /**
   * Starts the job of `request` (written in this transaction) on `workerUuid` if the worker,
   * read here, can serve it now, and returns the job; returns null, having written nothing,
   * if not. For a request matched in its own create transaction, which must commit whether or
   * not the job starts.
   */
  async startIfStartable(
    uow: UnitOfWork,
    request: RequestEntity,
    workerUuid: string,
  ): Promise<JobView | null> {
    const worker = await this.workers.findByUuid(uow.em, workerUuid);
    if (!worker || whyNotStartable(request, worker, uow.now)) return null;
    try {
      return await this.startChecked(uow, request, worker);
    } catch (error) {
      // The worker's compare-and-set comes first: if it lost (PostgreSQL: another server
      // took the worker), the worker is still IDLE here and nothing has been written.
      if (error instanceof ConcurrentModificationError && worker.state === WorkerState.Idle)
        return null;
      throw error;
    }
  }

  /** Both state changes (compare-and-set) and the job row; the caller has checked the pair. */
  private async startChecked(
    uow: UnitOfWork,
    request: RequestEntity,
    worker: WorkerEntity,
  ): Promise<JobView> {
    const requestId = request.id;
    const workerUuid = worker.uuid;
    const accessKey = worker.preparedKey!;
    const username = worker.jobUsername!;
    // Both compare-and-set updates come before the job row: a lost race surfaces as a
    // ConcurrentModificationError, and the job's unique indexes remain the last guard. The
    // worker goes first, so losing its race leaves nothing written.
    // The key now belongs to the job; the worker's copy goes with its state change.
    await workerStateMachine.transitionTo(
      uow,
      worker,
      WorkerState.Running,
      `running request ${requestId}`,
      { preparedKey: null },
    );
    await requestStateMachine.transitionTo(
      uow,
      request,
      RequestState.InProgress,
      `matched with worker ${workerUuid}`,
    );
    const timeoutAt = new Date(uow.now.getTime() + this.config.jobTimeoutMs);
    const job: JobEntity = uow.em.create(JobEntity, {
      requestId,
      workerUuid,
      startedAt: uow.now,
      timeoutAt,
      // A tester who never connects is idle too: the idle clock runs from the start.
      idleAt: idleDeadline(uow.now, this.config.idleJobTimeoutMs, timeoutAt),
      endedAt: null,
      expiryWarnedFor: null,
      prolongCount: 0,
      username,
      accessKey,
      keyRevealed: false,
      // Bound already: the tunnel opens on it after the commit, with no write of its own.
      tunnelPort: this.tunnels.reservePort(),
    });
    await this.jobs.insert(uow.em, job);
    emitJobEvent(uow, 'job.started', job, null, {
      workerUuid,
      timeoutAt: job.timeoutAt.toISOString(),
    });
    return viewOfJob(job);
  }

  /**
   * Ends the running job of `request` inside the caller's transaction. DONE sends the worker to
   * PREPARE (cleaned for the next user), or, if an admin ordered maintenance with drain, to
   * BUSY (the agent is told to show maintenance, which revokes the job's access); FAILED leaves
   * the worker to the caller, who is failing it or taking it to maintenance. `how` is recorded
   * on the request (API v2's `ended`).
   */
  async endJob(
    uow: UnitOfWork,
    request: RequestEntity,
    outcome: JobOutcome,
    how: EndedHow,
    reason: string,
  ): Promise<JobView> {
    const job = await this.jobs.ofRequestOrFail(uow.em, request.id);
    await endRequest(uow, request, outcome, how, reason);
    if (!(await this.jobs.end(uow.em, job.requestId, uow.now)))
      throw new ConcurrentModificationError(`Job of request ${request.id}`);
    job.endedAt = uow.now;
    emitJobEvent(
      uow,
      'job.ended',
      job,
      { endedAt: null },
      { endedAt: uow.now.toISOString(), outcome },
      reason,
    );
    if (outcome === RequestState.Done) {
      const worker = await this.workers.findByUuidOrFail(uow.em, job.workerUuid);
      if (isDraining(worker.maintenance))
        await workerStateMachine.transitionTo(
          uow,
          worker,
          WorkerState.Busy,
          `job of request ${request.id} ended: drained, going to maintenance as an admin ordered`,
        );
      else
        await workerStateMachine.transitionTo(
          uow,
          worker,
          WorkerState.Prepare,
          `job of request ${request.id} ended`,
          (await this.keyNeverRevealed(uow, job)) ? { preparedKey: job.accessKey } : {},
        );
    }
    return viewOfJob(job);
  }

  /**
   * Whether nobody outside the server ever got the ended job's private key: then it prepares
   * the board again, and the next job costs no key generation. Known after the job row was
   * ended in this transaction: an acquire that handed the key out committed before (its
   * write is seen here), or it finds the job ended and hands nothing out (see
   * JobRepository.keyNeverRevealed for what each database reads).
   */
  private async keyNeverRevealed(uow: UnitOfWork, job: JobEntity): Promise<boolean> {
    return this.jobs.keyNeverRevealed(uow.em, job);
  }

  /** The worker of a running job failed or went to maintenance: its request FAILS. */
  async failJobOfWorker(uow: UnitOfWork, worker: WorkerEntity, reason: string): Promise<void> {
    const job = await this.jobs.runningOnWorker(uow.em, worker.uuid);
    if (!job) return;
    const request = await this.requests.findByIdOrFail(uow.em, job.requestId);
    await this.endJob(uow, request, RequestState.Failed, 'worker-failed', reason);
  }

  /** Job timeout: DONE if the request is still running and its timeout has really passed. */
  async expire(requestId: number): Promise<boolean> {
    return this.tx.run(TIMEKEEPER.label, async (uow) => {
      const job = await this.jobs.runningOfRequest(uow.em, requestId);
      if (!job || job.timeoutAt.getTime() > uow.now.getTime()) return false;
      const request = await this.requests.findByIdOrFail(uow.em, requestId);
      if (request.state !== RequestState.InProgress) return false;
      await this.endJob(
        uow,
        request,
        RequestState.Done,
        'job-timeout',
        'job timeout passed without prolong',
      );
      return true;
    });
  }

  /**
   * Idle deadline: DONE (reason idle) if the request is still running and no activity moved
   * the deadline since. Returns the stored idle deadline when it is still ahead (activity
   * reported, perhaps to another instance), for the caller to watch again; null otherwise.
   */
  async expireIdle(requestId: number): Promise<Date | null> {
    return this.tx.run(TIMEKEEPER.label, async (uow) => {
      const job = await this.jobs.runningOfRequest(uow.em, requestId);
      if (!job?.idleAt) return null;
      if (job.idleAt.getTime() > uow.now.getTime()) return job.idleAt;
      // Re-checked under the row's write lock: an activity report that committed since the
      // read above (another instance, PostgreSQL) keeps the job.
      if (!(await this.jobs.stillIdle(uow.em, requestId, uow.now)))
        return this.idleDeadlineOf(uow.em, requestId);
      const request = await this.requests.findByIdOrFail(uow.em, requestId);
      if (request.state !== RequestState.InProgress) return null;
      await this.endJob(uow, request, RequestState.Done, 'idle', IDLE_REASON);
      return null;
    });
  }

  private async idleDeadlineOf(em: EntityManager, requestId: number): Promise<Date | null> {
    const job = await this.jobs.runningOfRequest(em, requestId);
    return job?.idleAt ?? null;
  }

  invalidateUnsatisfiable(uow: UnitOfWork, formerOffer: Offer, reason: string): Promise<number[]> {
    return invalidateUnsatisfiable(uow, this.requests, this.workers, formerOffer, reason);
  }

  /** The jobs of these requests (running or ended), by request id. */
  async jobsOf(em: EntityManager, requestIds: number[]): Promise<JobView[]> {
    if (requestIds.length === 0) return [];
    return (await this.jobs.ofRequests(em, requestIds)).map(viewOfJob);
  }
}

/** Why `worker` cannot take `request` now, or null if it can. */
function whyNotStartable(request: RequestEntity, worker: WorkerEntity, now: Date): string | null {
  if (request.state !== RequestState.Waiting || worker.state !== WorkerState.Idle)
    return `request ${request.id} is ${request.state}, worker ${worker.uuid} is ${worker.state}`;
  // A worker being drained takes no new job (it goes to maintenance as soon as it is free).
  if (isDraining(worker.maintenance))
    return `worker ${worker.uuid} is being drained for maintenance`;
  if (!canServe(worker, request, now) || !worker.preparedKey || !worker.jobUsername)
    return `worker ${worker.uuid} cannot serve request ${request.id} any more`;
  return null;
}
