import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../config/app-config';
import { DatabaseOutage } from '../database/database-outage.service';
import { WorkerView } from '../events/domain-event';
import { DomainEventBus } from '../events/domain-event-bus';
import { WorkerState } from '../workers/worker-state';
import { WorkersService } from '../workers/workers.service';
import { DryadPort } from '../dryad/dryad.port';
import { dryadTarget } from '../dryad/dryad-target';
import { DryadSshThread } from '../dryad/dryad-ssh-thread';

const HEALTH_CHECKS = 'dryad:health-checks';

/** States in which a worker is expected to be reachable and healthy. */
const SERVING: readonly string[] = [WorkerState.Idle, WorkerState.Running, WorkerState.Prepare];

/**
 * Watches the agents: a serving worker whose kept SSH connection drops and cannot be opened
 * again goes FAILED (its running job's request FAILS, its tunnel closes); IDLE workers are
 * health-checked every LESHY_HEALTHCHECK_INTERVAL and go FAILED with the agent's reason.
 * At start-up the IDLE and RUNNING workers are probed, which opens their kept connections.
 * Only the scheduling instance watches agents (src/cluster/scheduler-election.service.ts); it
 * starts as at a fresh start when it takes over.
 */
@Injectable()
export class DryadSupervisor implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(DryadSupervisor.name);
  private stopping = false;
  private active = false;
  private checking: Promise<void> | null = null;
  private probing: Promise<void> | null = null;

  constructor(
    private readonly ssh: DryadSshThread,
    private readonly dryad: DryadPort,
    private readonly workers: WorkersService,
    private readonly bus: DomainEventBus,
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly outage: DatabaseOutage,
  ) {}

  onModuleInit(): void {
    this.ssh.events.on(
      'lost',
      (uuid: string, reason: string) => void this.connectionLost(uuid, reason),
    );
    this.bus.on('worker.deregistered', (e) => this.ssh.forget(e.worker.uuid));
  }

  startScheduling(): Promise<void> {
    this.active = true;
    const interval = setInterval(
      () => void this.healthChecksInBackground(),
      this.config.healthcheckIntervalMs,
    );
    interval.unref();
    this.scheduler.addInterval(HEALTH_CHECKS, interval);
    this.probing = this.probeAfterStart();
    return Promise.resolve();
  }

  /** Leadership lost: no more checks; outcomes of those still running are not written. */
  async stopScheduling(): Promise<void> {
    this.active = false;
    this.stopChecks();
    await Promise.all([this.checking, this.probing]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.stopChecks();
    await Promise.all([this.checking, this.probing]);
  }

  private stopChecks(): void {
    if (this.scheduler.doesExist('interval', HEALTH_CHECKS))
      this.scheduler.deleteInterval(HEALTH_CHECKS);
  }

  /** Health-checks every IDLE worker once (safe to call concurrently: one round at a time). */
  runHealthChecks(): Promise<void> {
    this.checking ??= this.checkIdleWorkers().finally(() => (this.checking = null));
    return this.checking;
  }

  /** The periodic round: a failure is logged and the next tick tries again. */
  private async healthChecksInBackground(): Promise<void> {
    try {
      await this.runHealthChecks();
      this.outage.succeeded();
    } catch (error) {
      if (!this.outage.failed('health checks', error))
        this.logger.error(`health-check round failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  private async checkIdleWorkers(): Promise<void> {
    const idle = (await this.workers.all()).filter((w) => w.state === WorkerState.Idle);
    await Promise.all(idle.map((listed) => this.checkIfStillIdle(listed)));
  }

  /**
   * Read again right before the check: a worker matched since the round listed it must not be
   * power-ticked under its new job (failIfUnchanged would only keep the outcome from applying).
   */
  private async checkIfStillIdle(listed: WorkerView): Promise<void> {
    // Deregistered meanwhile (or unreadable right now): nothing to check this round.
    const worker = await this.workers.get(listed.uuid).catch(() => null);
    if (worker?.state !== WorkerState.Idle || worker.stateVersion !== listed.stateVersion) return;
    await this.failUnless(worker, 'health check failed', () =>
      this.dryad.healthcheck(dryadTarget(worker)),
    );
  }

  /**
   * A connection is kept only once an operation has run, and after a restart nothing runs on a
   * RUNNING worker by itself: without this probe, its agent dying mid-job would go unnoticed.
   * PREPARE workers need none: WorkerOperations resumes their prepare, which connects.
   */
  private async probeAfterStart(): Promise<void> {
    try {
      const watched = (await this.workers.all()).filter(
        (w) => w.state === WorkerState.Idle || w.state === WorkerState.Running,
      );
      await Promise.all(watched.map((worker) => this.reachable(worker, 'agent unreachable')));
    } catch (error) {
      this.logger.error(`probing the agents at start-up failed: ${(error as Error).message}`);
    }
  }

  /**
   * One reconnection attempt before declaring the agent unreachable. The probe is `status`,
   * not `healthcheck`: a health check power-cycles the DUT, which must not happen mid-job.
   */
  private async connectionLost(uuid: string, reason: string): Promise<void> {
    if (this.stopping || !this.active) return;
    try {
      const worker = await this.workers.get(uuid);
      if (!SERVING.includes(worker.state)) return;
      if (await this.reachable(worker, `agent unreachable: ${reason}; reconnecting failed`))
        this.logger.log(`worker ${uuid}: SSH connection dropped and was opened again`, {
          workerUuid: uuid,
        });
    } catch (error) {
      if (this.outage.failed(`worker ${uuid}: lost connection`, error)) return;
      this.logger.error(
        `worker ${uuid}: handling the lost connection failed: ${(error as Error).message}`,
        { workerUuid: uuid },
      );
    }
  }

  /** Runs `status` (harmless at any time), which opens the kept connection if there is none. */
  private reachable(worker: WorkerView, why: string): Promise<boolean> {
    return this.failUnless(worker, why, () => this.dryad.status(dryadTarget(worker)));
  }

  /**
   * Runs an operation on the worker's agent; if it fails, the worker goes FAILED with
   * `why: <error>` (unless it has moved on meanwhile, or the server is stopping).
   */
  private async failUnless(
    worker: WorkerView,
    why: string,
    operation: () => Promise<unknown>,
  ): Promise<boolean> {
    try {
      await operation();
      return true;
    } catch (error) {
      if (this.stopping || !this.active) return false;
      const reason = `${why}: ${(error as Error).message}`;
      this.logger.warn(`worker ${worker.uuid}: ${reason}`, { workerUuid: worker.uuid });
      await this.workers.failIfUnchanged(worker.uuid, worker.stateVersion, reason);
      return false;
    }
  }
}
