import { Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { AuditEventEntity } from '../events/audit-event.entity';
import { WorkerView } from '../events/domain-event';
import { updateWorkerFields } from '../workers/worker-fields';
import { WorkerState } from '../workers/worker-state';
import { workerStateMachine } from '../workers/worker-state-machine';
import { WorkersService } from '../workers/workers.service';
import { WorkerRepository } from '../workers/worker.repository';
import { dryadTarget } from '../dryad/dryad-target';
import { DryadPort } from '../dryad/dryad.port';

const RECOVERY = 'dryad:failed-worker-recovery';
/** A board that failed this often within FLAPPING_WINDOW_MS is left FAILED for an admin. */
export const FLAPPING_LIMIT = 3;
const FLAPPING_WINDOW_MS = 60 * 60 * 1000;
/** The longest wait between two attempts on a board whose agent keeps not answering. */
const MAX_BACKOFF_MS = 60 * 60 * 1000;
export const FLAPPING_REASON_PREFIX = 'flapping:';

export type RecoveryOutcome = 'recovered' | 'flapping' | 'moved-on';

/**
 * Brings FAILED boards back by themselves once their agent answers again: every
 * LESHY_HEALTHCHECK_INTERVAL each FAILED worker is health-checked, and one that passes goes
 * FAILED → PREPARE (then IDLE once prepared), the episode in the audit. An agent that does not
 * answer is tried again after a doubling wait (one interval, two, four, … up to an hour). A
 * board that failed FLAPPING_LIMIT times within the last hour (counted in the audit, so it
 * holds across restarts and failovers) is not brought back in a loop: it stays FAILED with a
 * "flapping" reason until an admin takes it to MAINTENANCE. Runs on the scheduling instance.
 */
@Injectable()
export class FailedWorkerRecovery {
  private readonly logger = new Logger(FailedWorkerRecovery.name);
  private readonly backoff = new Map<string, { attempts: number; nextAt: number }>();
  private active = false;
  private round: Promise<void> | null = null;

  constructor(
    private readonly workers: WorkersService,
    private readonly dryad: DryadPort,
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly repository: WorkerRepository,
  ) {}

  startScheduling(): Promise<void> {
    this.active = true;
    this.backoff.clear();
    const interval = setInterval(() => void this.runRound(), this.config.healthcheckIntervalMs);
    interval.unref();
    this.scheduler.addInterval(RECOVERY, interval);
    return Promise.resolve();
  }

  async stopScheduling(): Promise<void> {
    this.active = false;
    if (this.scheduler.doesExist('interval', RECOVERY)) this.scheduler.deleteInterval(RECOVERY);
    await this.round;
  }

  /** One round over the FAILED workers (one at a time; a failing round is logged, not fatal). */
  runRound(): Promise<void> {
    this.round ??= this.recoverAll()
      .catch((error: Error) => this.logger.error(`recovery round failed: ${error.message}`))
      .finally(() => (this.round = null));
    return this.round;
  }

  private async recoverAll(): Promise<void> {
    if (!this.active) return;
    const failed = (await this.workers.all()).filter(
      (w) => w.state === WorkerState.Failed && !w.failReason?.startsWith(FLAPPING_REASON_PREFIX),
    );
    await Promise.all(failed.map((worker) => this.tryRecover(worker)));
  }

  private async tryRecover(worker: WorkerView): Promise<void> {
    const now = this.clock.now().getTime();
    const waiting = this.backoff.get(worker.uuid);
    if (waiting && now < waiting.nextAt) return;
    try {
      await this.dryad.healthcheck(dryadTarget(worker));
    } catch {
      const attempts = (waiting?.attempts ?? 0) + 1;
      const wait = Math.min(
        this.config.healthcheckIntervalMs * 2 ** (attempts - 1),
        MAX_BACKOFF_MS,
      );
      this.backoff.set(worker.uuid, { attempts, nextAt: now + wait });
      return;
    }
    this.backoff.delete(worker.uuid);
    if (!this.active) return;
    const outcome = await this.recover(worker);
    if (outcome !== 'moved-on')
      this.logger.log(`worker ${worker.uuid}: ${outcome}`, { workerUuid: worker.uuid });
  }

  /** FAILED → PREPARE for the worker as it was checked, unless it moved on or is flapping. */
  recover(worker: WorkerView): Promise<RecoveryOutcome> {
    return this.tx.run('system:recovery', async (uow) => {
      const current = await this.repository.findByUuid(uow.em, worker.uuid);
      if (
        !current ||
        current.state !== WorkerState.Failed ||
        current.stateVersion !== worker.stateVersion
      )
        return 'moved-on';
      const failures = await uow.em
        .createQueryBuilder(AuditEventEntity, 'a')
        .where(
          "a.aggregate = 'worker' AND a.aggregate_id = :uuid AND a.type = 'worker.state-changed' AND a.after = :after AND a.at >= :since",
          {
            uuid: current.uuid,
            after: JSON.stringify({ state: WorkerState.Failed }),
            since: uow.now.getTime() - FLAPPING_WINDOW_MS,
          },
        )
        .getCount();
      if (failures >= FLAPPING_LIMIT) {
        const reason = `${FLAPPING_REASON_PREFIX} failed ${failures} times within an hour, left FAILED for an admin to look at (last: ${current.failReason})`;
        await updateWorkerFields(uow, current, { failReason: reason }, reason);
        return 'flapping';
      }
      await workerStateMachine.transitionTo(
        uow,
        current,
        WorkerState.Prepare,
        `recovering: the agent answers again and passed a health check (failed: ${current.failReason})`,
      );
      return 'recovered';
    });
  }
}
