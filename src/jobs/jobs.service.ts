import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { assertAgentFor, assertMayManageRequest } from '../auth/access-policy';
import { assertEnrollmentMaySpeakFor } from '../auth/agent-token.binding';
import { Actor, systemActor } from '../auth/actor';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { JobView, viewOfJob } from '../events/domain-event';
import { DomainEventBus } from '../events/domain-event-bus';
import { keyFingerprint } from 'dryad-agent/ssh-keys';
import { dryadTarget } from '../dryad/dryad-target';
import { DryadPort } from '../dryad/dryad.port';
import { JobKeyPair } from '../keys/rsa-key';
import { SecretBox } from '../keys/secret-box';
import { RequestEntity } from '../requests/request.entity';
import { RequestRepository } from '../requests/request.repository';
import {
  ProlongLimitReachedError,
  RequestNotFoundError,
  WorkerNotAssignedError,
} from '../requests/request.errors';
import { RequestState } from '../requests/request-state';
import { WorkerEntity } from '../workers/worker.entity';
import { WorkerRepository } from '../workers/worker.repository';
import { WorkerNotFoundError } from '../workers/worker.errors';
import { idleDeadline } from './idle-deadline';
import { emitJobEvent } from './job-events';
import { JobEntity } from './job.entity';
import {
  NoRunningJobError,
  OwnKeyNotAuthorizedError,
  TunnelOfEndedJobError,
  TunnelUnavailableError,
} from './job.errors';
import { JobRepository } from './job.repository';
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

/**
 * What acquire hands out: always the job's key (API v1, whose clients expect one), or, for a
 * request that carries the tester's own key, no private key at all (API v2).
 */
export type KeyHandOut = 'job-key' | 'own-key-if-any';

const TUNNELS = systemActor('tunnels');

/**
 * A running job as its tester uses it: access (acquire), prolong, tester activity, and the
 * tunnel that follows the job from start to end. Starting and ending a job change the request
 * and the worker too: that is the job saga's (src/scheduling/job-saga.service.ts).
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
    private readonly jobs: JobRepository,
    private readonly requests: RequestRepository,
    private readonly workers: WorkerRepository,
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
   * The agent of `uuid` saw tester activity (a session, console bytes, a flash): the running
   * job's idle deadline moves to now + LESHY_IDLE_JOB_TIMEOUT, never past its job timeout. One
   * UPDATE that reads timeout_at itself, so a prolong at the same moment is never undone.
   */
  async reportActivity(uuid: string, actor: Actor): Promise<void> {
    assertAgentFor(actor, uuid, 'report tester activity for');
    await this.tx.run(actor.label, async (uow) => {
      await assertEnrollmentMaySpeakFor(uow.em, actor, uuid);
      const worker = await this.workers.findByUuid(uow.em, uuid);
      if (!worker) throw new WorkerNotFoundError(uuid);
      const job = await this.jobs.runningOnWorker(uow.em, uuid);
      if (!job) throw new NoRunningJobError(uuid);
      if (job.idleAt === null) return; // no inactivity timeout for this job
      const candidate = uow.now.getTime() + this.config.idleJobTimeoutMs;
      await this.jobs.moveIdleDeadline(uow.em, job.requestId, candidate);
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
      await this.jobs.prolongIfUnchanged(uow.em, job, before.prolongCount);
      emitJobEvent(uow, 'job.prolonged', job, before, {
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
        worker: await this.workers.findByUuidOrFail(em, running.job.workerUuid),
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
      if (!(await this.jobs.markKeyRevealed(uow.em, requestId)))
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

  activeJobs(): Promise<JobView[]> {
    return this.tx.read(async (em) => (await this.jobs.running(em)).map(viewOfJob));
  }

  /** The request and its running job; `check` vets the caller before the state is looked at. */
  private async runningJob(
    em: EntityManager,
    requestId: number,
    check: (request: RequestEntity) => void = () => {},
  ): Promise<{ job: JobEntity; request: RequestEntity }> {
    const request = await this.requests.findById(em, requestId);
    if (!request) throw new RequestNotFoundError(requestId);
    check(request);
    const job = await this.jobs.runningOfRequest(em, requestId);
    if (request.state !== RequestState.InProgress || !job)
      throw new WorkerNotAssignedError(requestId, request.state);
    return { job, request };
  }

  /**
   * Opens a started (or, after a restart, running) job's tunnel, on the port its row holds (one
   * reserved when it started, or its port of before the restart). The tunnel counts as open
   * from the first moment (TunnelService.open), so a close right after finds it and closes it.
   * Only a tunnel that had to take another port records it: that write touches a job that has
   * not ended, so it also tells whether a close committed meanwhile (then it is closed here).
   */
  private async openTunnel(job: JobView): Promise<void> {
    try {
      const { port } = await this.tunnels.open(
        job.requestId,
        () => this.sshAddressOf(job),
        job.tunnelPort,
      );
      if (port === job.tunnelPort) return;
      const recorded = await this.tx.run(TUNNELS.label, (uow) =>
        this.jobs.recordTunnelPort(uow.em, job.requestId, port),
      );
      if (!recorded) await this.tunnels.close(job.requestId);
    } catch (error) {
      // Its end came first (a close right after the start): nothing to open, nothing wrong.
      if (error instanceof TunnelOfEndedJobError) return;
      this.logger.error(
        `request ${job.requestId}: tunnel could not be opened: ${(error as Error).message}`,
        { requestId: job.requestId },
      );
    }
  }

  private async sshAddressOf(job: JobView): Promise<string> {
    const worker = await this.tx.read((em) => this.workers.findByUuid(em, job.workerUuid));
    if (!worker)
      throw new TunnelUnavailableError(job.requestId, `worker ${job.workerUuid} is not registered`);
    return worker.sshAddr;
  }

  /**
   * Opens the tunnel of a job read a moment ago, then, if it was not open, reads the job again. A close that
   * committed in between has already had its job.ended handler close this request's tunnel —
   * before this one existed — so nobody else would ever close it: it is closed here, and the
   * caller gets the error of a job that is not running (WorkerNotAssignedError).
   */
  private async openTunnelOfLiveJob(
    requestId: number,
    sshAddr: string,
    preferredPort: number | null,
  ): Promise<{ ip: string; port: number }> {
    // A tunnel that was open already was opened while the job ran, and the job's end closes
    // it; one opened now may be too late for a close that committed since the caller's read.
    const tunnel = await this.tunnels.open(requestId, sshAddr, preferredPort).catch((error) => {
      if (!(error instanceof TunnelOfEndedJobError)) throw error;
      return null;
    });
    if (!tunnel) {
      // The job's end was seen before: the caller gets the error of a job that is not running.
      await this.tx.read((em) => this.runningJob(em, requestId));
      throw new TunnelOfEndedJobError(requestId);
    }
    const { ip, port, opened } = tunnel;
    if (!opened) return { ip, port };
    try {
      await this.tx.read((em) => this.runningJob(em, requestId));
    } catch (error) {
      await this.tunnels.close(requestId);
      throw error;
    }
    return { ip, port };
  }
}
