import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { EntityManager, In, IsNull } from 'typeorm';
import { assertAgentFor, assertMayManageRequest } from '../auth/access-policy';
import { assertEnrollmentMaySpeakFor } from '../auth/agent-token.binding';
import { Actor, systemActor } from '../auth/actor';
import { ConcurrentModificationError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { updateIfUnchanged } from '../database/compare-and-set';
import { Transactions } from '../database/transactions.service';
import { UnitOfWork } from '../database/unit-of-work';
import { JobView, viewOfJob } from '../events/domain-event';
import { DomainEventBus } from '../events/domain-event-bus';
import { keyFingerprint } from 'dryad-agent/ssh-keys';
import { dryadTarget } from '../dryad/dryad-target';
import { DryadPort } from '../dryad/dryad.port';
import { JobKeyPair } from '../keys/rsa-key';
import { SecretBox } from '../keys/secret-box';
import { canServe } from '../common/ask';
import { RequestEntity } from '../requests/request.entity';
import {
  ProlongLimitReachedError,
  RequestNotFoundError,
  WorkerNotAssignedError,
} from '../requests/request.errors';
import { RequestState } from '../requests/request-state';
import type { EndedHow } from '../requests/request-ending';
import { endRequest, requestStateMachine } from '../requests/request-state-machine';
import { isDraining } from '../workers/maintenance-order';
import { WorkerEntity } from '../workers/worker.entity';
import { WorkerNotFoundError } from '../workers/worker.errors';
import { WorkerState } from '../workers/worker-state';
import { workerStateMachine } from '../workers/worker-state-machine';
import { IDLE_REASON, idleDeadline } from './idle-deadline';
import { JobEntity } from './job.entity';
import { NoRunningJobError, OwnKeyNotAuthorizedError } from './job.errors';
import { TunnelService } from './tunnel.service';

/** Everything a tester needs to use the worker of a running job. */
export interface JobAccess {
  requestId: number;
  workerUuid: string;
  username: string;
  /** The job's key pair; null when the tester logs in with their own key (ownKey). */
  key: JobKeyPair | null;
  tunnel: { ip: string; port: number };
  /** The request carried the tester's own public key, and the board admits it for this job. */
  ownKey: boolean;
}

export type JobOutcome = typeof RequestState.Done | typeof RequestState.Failed;

/**
 * What acquire hands out: always the job's key (API v1, whose clients expect one), or, for a
 * request that carries the tester's own key, no private key at all (API v2).
 */
export type KeyHandOut = 'job-key' | 'own-key-if-any';

const MATCHER = systemActor('matcher');
const TIMEKEEPER = systemActor('timekeeper');
const TUNNELS = systemActor('tunnels');

/**
 * Jobs: created when the matcher binds a request to a worker, ended when the request is closed,
 * times out, or its worker fails. Starting and ending change the request, the worker and the job
 * in one transaction, so a crash never leaves one without the others.
 */
@Injectable()
export class JobsService
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(JobsService.name);
  /** Tunnels being opened for jobs that just started: shutdown waits for them. */
  private readonly opening = new Set<Promise<void>>();

  constructor(
    private readonly tx: Transactions,
    private readonly config: AppConfig,
    private readonly box: SecretBox,
    private readonly tunnels: TunnelService,
    private readonly bus: DomainEventBus,
    private readonly dryad: DryadPort,
  ) {}

  onModuleInit(): void {
    this.bus.on('job.started', (event) => {
      // The instance that started a job opens its tunnel; others open one when asked (acquire).
      if (event.remote) return;
      const opening = this.openTunnel(event.job).finally(() => this.opening.delete(opening));
      this.opening.add(opening);
    });
    // Whoever ended the job, on whichever instance: the tunnels this instance opened close.
    this.bus.on('job.ended', (event) => this.tunnels.close(event.job.requestId));
  }

  /** A restart keeps jobs running: their tunnels come back, on the same ports when free. */
  async onApplicationBootstrap(): Promise<void> {
    for (const job of await this.activeJobs()) await this.openTunnel(job);
  }

  /** A tunnel opened as the server stops still records its port before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.opening]);
  }

  /**
   * Binds a ready request to an idle worker. Both are re-read and re-checked inside the
   * transaction, and both state changes are compare-and-set: if anything moved since the
   * matcher looked, this throws and nothing is written.
   */
  async start(requestId: number, workerUuid: string): Promise<JobView> {
    return this.tx.run(MATCHER.label, async (uow) => {
      const request = await uow.em.findOneOrFail(RequestEntity, { where: { id: requestId } });
      const worker = await uow.em.findOneOrFail(WorkerEntity, { where: { uuid: workerUuid } });
      const refusal = whyNotStartable(request, worker, uow.now);
      if (refusal) throw new Error(refusal);
      return this.startChecked(uow, request, worker);
    });
  }

  /**
   * Starts the job of `request` (written in this transaction) on `workerUuid` if the worker,
   * read here, can serve it now; returns false, having written nothing, if not. For a request
   * matched in its own create transaction, which must commit whether or not the job starts.
   */
  async startIfStartable(
    uow: UnitOfWork,
    request: RequestEntity,
    workerUuid: string,
  ): Promise<boolean> {
    const worker = await uow.em.findOne(WorkerEntity, { where: { uuid: workerUuid } });
    if (!worker || whyNotStartable(request, worker, uow.now)) return false;
    try {
      await this.startChecked(uow, request, worker);
    } catch (error) {
      // The worker's compare-and-set comes first: if it lost (PostgreSQL: another server
      // took the worker), the worker is still IDLE here and nothing has been written.
      if (error instanceof ConcurrentModificationError && worker.state === WorkerState.Idle)
        return false;
      throw error;
    }
    return true;
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
      tunnelPort: null,
    });
    await uow.em.insert(JobEntity, job);
    this.emit(uow, 'job.started', job, null, {
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
  ): Promise<void> {
    const job = await uow.em.findOneOrFail(JobEntity, { where: { requestId: request.id } });
    await endRequest(uow, request, outcome, how, reason);
    const ended = await uow.em.update(
      JobEntity,
      { requestId: job.requestId, endedAt: IsNull() },
      { endedAt: uow.now },
    );
    if (ended.affected !== 1) throw new ConcurrentModificationError(`Job of request ${request.id}`);
    job.endedAt = uow.now;
    this.emit(
      uow,
      'job.ended',
      job,
      { endedAt: null },
      { endedAt: uow.now.toISOString(), outcome },
      reason,
    );
    if (outcome === RequestState.Done) {
      const worker = await uow.em.findOneOrFail(WorkerEntity, { where: { uuid: job.workerUuid } });
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
  }

  /**
   * Whether nobody outside the server ever got the ended job's private key: then it prepares
   * the board again, and the next job costs no key generation. Read after the job row was
   * ended in this transaction: an acquire that handed the key out committed before (its
   * write is seen here), or it finds the job ended and hands nothing out.
   */
  private async keyNeverRevealed(uow: UnitOfWork, job: JobEntity): Promise<boolean> {
    const fresh = await uow.em.findOneOrFail(JobEntity, {
      where: { requestId: job.requestId },
      select: ['requestId', 'keyRevealed'],
    });
    return fresh.keyRevealed === false;
  }

  /** The worker of a running job failed or went to maintenance: its request FAILS. */
  async failJobOfWorker(uow: UnitOfWork, worker: WorkerEntity, reason: string): Promise<void> {
    const job = await uow.em.findOne(JobEntity, {
      where: { workerUuid: worker.uuid, endedAt: IsNull() },
    });
    if (!job) return;
    const request = await uow.em.findOneOrFail(RequestEntity, { where: { id: job.requestId } });
    await this.endJob(uow, request, RequestState.Failed, 'worker-failed', reason);
  }

  /** Job timeout: DONE if the request is still running and its timeout has really passed. */
  async expire(requestId: number): Promise<boolean> {
    return this.tx.run(TIMEKEEPER.label, async (uow) => {
      const job = await uow.em.findOne(JobEntity, { where: { requestId, endedAt: IsNull() } });
      if (!job || job.timeoutAt.getTime() > uow.now.getTime()) return false;
      const request = await uow.em.findOneOrFail(RequestEntity, { where: { id: requestId } });
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
      const job = await uow.em.findOne(JobEntity, { where: { requestId, endedAt: IsNull() } });
      if (!job?.idleAt) return null;
      if (job.idleAt.getTime() > uow.now.getTime()) return job.idleAt;
      // Re-checked under the row's write lock: an activity report that committed since the
      // read above (another instance, PostgreSQL) keeps the job.
      const still = await uow.em
        .createQueryBuilder()
        .update(JobEntity)
        .set({ idleAt: () => 'idle_at' })
        .where('request_id = :requestId AND ended_at IS NULL AND idle_at <= :now', {
          requestId,
          now: uow.now.getTime(),
        })
        .execute();
      if (still.affected !== 1) return this.idleDeadlineOf(uow.em, requestId);
      const request = await uow.em.findOneOrFail(RequestEntity, { where: { id: requestId } });
      if (request.state !== RequestState.InProgress) return null;
      await this.endJob(uow, request, RequestState.Done, 'idle', IDLE_REASON);
      return null;
    });
  }

  private async idleDeadlineOf(em: EntityManager, requestId: number): Promise<Date | null> {
    const job = await em.findOne(JobEntity, { where: { requestId, endedAt: IsNull() } });
    return job?.idleAt ?? null;
  }

  /**
   * The agent of `uuid` saw tester activity (a session, console bytes, a flash): the running
   * job's idle deadline moves to now + LESHY_IDLE_JOB_TIMEOUT, never past its job timeout. One
   * UPDATE that reads timeout_at itself, so a prolong at the same moment is never undone.
   */
  async reportActivity(uuid: string, actor: Actor): Promise<void> {
    assertAgentFor(actor, uuid, 'report tester activity for');
    await this.tx.run(actor.label, async (uow) => {
      await assertEnrollmentMaySpeakFor(uow.em, actor, uuid);
      const worker = await uow.em.findOne(WorkerEntity, { where: { uuid } });
      if (!worker) throw new WorkerNotFoundError(uuid);
      const job = await uow.em.findOne(JobEntity, {
        where: { workerUuid: uuid, endedAt: IsNull() },
      });
      if (!job) throw new NoRunningJobError(uuid);
      if (job.idleAt === null) return; // no inactivity timeout for this job
      const candidate = uow.now.getTime() + this.config.idleJobTimeoutMs;
      await uow.em
        .createQueryBuilder()
        .update(JobEntity)
        .set({
          idleAt: () => 'CASE WHEN timeout_at < :candidate THEN timeout_at ELSE :candidate END',
        })
        .where('request_id = :requestId AND ended_at IS NULL AND idle_at IS NOT NULL', {
          requestId: job.requestId,
        })
        .setParameter('candidate', candidate)
        .execute();
    });
  }

  /** Sets the job's timeout to now + job timeout (the request's owner or an admin). */
  async prolong(requestId: number, actor: Actor): Promise<JobView> {
    return this.tx.run(actor.label, async (uow) => {
      const { job } = await this.runningJob(uow.em, requestId, (request) =>
        assertMayManageRequest(actor, request, 'prolong'),
      );
      const limit = this.config.maxProlongs;
      if (limit !== null && job.prolongCount >= limit)
        throw new ProlongLimitReachedError(requestId, limit);
      const before = { timeoutAt: job.timeoutAt.toISOString(), prolongCount: job.prolongCount };
      job.timeoutAt = new Date(uow.now.getTime() + this.config.jobTimeoutMs);
      job.prolongCount += 1;
      // A prolong is the tester at work: the idle deadline starts again, within the new timeout.
      if (job.idleAt !== null)
        job.idleAt = idleDeadline(uow.now, this.config.idleJobTimeoutMs, job.timeoutAt);
      // Two prolongs at once must not both count as the same one (the limit) or both publish.
      await updateIfUnchanged(
        uow.em,
        JobEntity,
        `Job of request ${requestId}`,
        'request_id = :requestId AND ended_at IS NULL AND prolong_count = :count',
        { requestId, count: before.prolongCount },
        { timeoutAt: job.timeoutAt, prolongCount: job.prolongCount, idleAt: job.idleAt },
      );
      this.emit(uow, 'job.prolonged', job, before, {
        timeoutAt: job.timeoutAt.toISOString(),
        prolongCount: job.prolongCount,
      });
      return viewOfJob(job);
    });
  }

  /**
   * Access details of a running job: user name, key pair and the tunnel's address. Only for
   * the request's owner or an admin: anyone else gets NotAllowedError, never the key.
   */
  async acquire(
    requestId: number,
    actor: Actor,
    handOut: KeyHandOut = 'job-key',
  ): Promise<JobAccess> {
    const { job, worker, publicKey } = await this.tx.read(async (em) => {
      const running = await this.runningJob(em, requestId, (request) =>
        assertMayManageRequest(actor, request, 'acquire the worker of'),
      );
      return {
        job: running.job,
        worker: await em.findOneOrFail(WorkerEntity, { where: { uuid: running.job.workerUuid } }),
        publicKey: running.request.publicKey ?? null,
      };
    });
    const ownKey = publicKey !== null && handOut === 'own-key-if-any';
    // Recorded before the key leaves: a revealed key never prepares a board again.
    if (!ownKey && !job.keyRevealed) await this.markKeyRevealed(requestId, actor);
    const key = this.box.open<JobKeyPair>(job.accessKey);
    if (publicKey) await this.authorizeOwnKey(requestId, worker, publicKey, key);
    const tunnel = await this.openTunnelOfLiveJob(requestId, worker.sshAddr, job.tunnelPort);
    return {
      requestId,
      workerUuid: job.workerUuid,
      username: job.username,
      key: ownKey ? null : key,
      tunnel,
      ownKey,
    };
  }

  private async markKeyRevealed(requestId: number, actor: Actor): Promise<void> {
    await this.tx.run(actor.label, async (uow) => {
      const marked = await uow.em.update(
        JobEntity,
        { requestId, endedAt: IsNull() },
        { keyRevealed: true },
      );
      if (marked.affected !== 1)
        throw new WorkerNotAssignedError(requestId, 'no longer IN PROGRESS');
    });
  }

  /**
   * The tester's own key joins the job's keys on the board (the agent's `authorize`, which is
   * idempotent, so every acquire may ask). The job is named by its key's fingerprint: if the
   * job ended and the board was prepared for the next one meanwhile, the agent refuses, so the
   * key never joins another tester's job. The next prepare revokes it with the rest of this
   * job's access.
   */
  private async authorizeOwnKey(
    requestId: number,
    worker: WorkerEntity,
    publicKey: string,
    jobKey: JobKeyPair,
  ): Promise<void> {
    try {
      await this.dryad.authorize(
        dryadTarget(worker),
        publicKey,
        keyFingerprint(jobKey.publicKeySsh),
      );
    } catch (error) {
      throw new OwnKeyNotAuthorizedError(requestId, (error as Error).message);
    }
  }

  /** The jobs of these requests (running or ended), by request id. */
  jobsOf(em: EntityManager, requestIds: number[]): Promise<JobEntity[]> {
    if (requestIds.length === 0) return Promise.resolve([]);
    return em.find(JobEntity, { where: { requestId: In(requestIds) } });
  }

  activeJobs(): Promise<JobView[]> {
    return this.tx.read(async (em) =>
      (await em.find(JobEntity, { where: { endedAt: IsNull() } })).map(viewOfJob),
    );
  }

  /** The request and its running job; `check` vets the caller before the state is looked at. */
  private async runningJob(
    em: EntityManager,
    requestId: number,
    check: (request: RequestEntity) => void = () => {},
  ): Promise<{ job: JobEntity; request: RequestEntity }> {
    const request = await em.findOne(RequestEntity, { where: { id: requestId } });
    if (!request) throw new RequestNotFoundError(requestId);
    check(request);
    const job = await em.findOne(JobEntity, { where: { requestId, endedAt: IsNull() } });
    if (request.state !== RequestState.InProgress || !job)
      throw new WorkerNotAssignedError(requestId, request.state);
    return { job, request };
  }

  /**
   * Opens a started (or, after a restart, running) job's tunnel and records its port. The
   * write only touches a job that has not ended, so it also tells whether a close committed
   * meanwhile: that close's job.ended handler ran before this tunnel existed, so it is closed here.
   */
  private async openTunnel(job: JobView): Promise<void> {
    try {
      const worker = await this.tx.read((em) =>
        em.findOne(WorkerEntity, { where: { uuid: job.workerUuid } }),
      );
      if (!worker) return;
      const { port } = await this.tunnels.open(job.requestId, worker.sshAddr, job.tunnelPort);
      const recorded = await this.tx.run(TUNNELS.label, (uow) =>
        uow.em.update(
          JobEntity,
          { requestId: job.requestId, endedAt: IsNull() },
          { tunnelPort: port },
        ),
      );
      if (recorded.affected === 0) await this.tunnels.close(job.requestId);
    } catch (error) {
      this.logger.error(
        `request ${job.requestId}: tunnel could not be opened: ${(error as Error).message}`,
        { requestId: job.requestId },
      );
    }
  }

  /**
   * Opens the tunnel of a job read a moment ago, then reads the job again. A close that
   * committed in between has already had its job.ended handler close this request's tunnel —
   * before this one existed — so nobody else would ever close it: it is closed here, and the
   * caller gets the error of a job that is not running (WorkerNotAssignedError).
   */
  private async openTunnelOfLiveJob(
    requestId: number,
    sshAddr: string,
    preferredPort: number | null,
  ): Promise<{ ip: string; port: number }> {
    const tunnel = await this.tunnels.open(requestId, sshAddr, preferredPort);
    try {
      await this.tx.read((em) => this.runningJob(em, requestId));
    } catch (error) {
      await this.tunnels.close(requestId);
      throw error;
    }
    return tunnel;
  }

  private emit(
    uow: UnitOfWork,
    type: 'job.started' | 'job.prolonged' | 'job.ended',
    job: JobEntity,
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
    reason: string | null = null,
  ): void {
    uow.emit({ type, job: viewOfJob(job), at: uow.now, actor: uow.actor, reason, before, after });
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
