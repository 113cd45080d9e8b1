import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { dryadTarget } from '../dryad/dryad-target';
import { DryadPort } from '../dryad/dryad.port';
import { WorkerView } from '../events/domain-event';
import { DomainEventBus } from '../events/domain-event-bus';
import { JobKeyPool } from '../keys/job-key-pool.service';
import type { JobKeyPair } from '../keys/rsa-key';
import { SecretBox } from '../keys/secret-box';
import { displayedMessage } from './maintenance-order';
import { WorkerState } from './worker-state';
import { WorkersService } from './workers.service';

/**
 * The long operations that PREPARE and BUSY stand for: preparing a board with a fresh job key,
 * and telling an agent to show maintenance. They run after the state change has committed and
 * report back with the state version they started from, so an operation overtaken by a newer
 * state change is dropped. After a restart, workers found in PREPARE or BUSY are resumed.
 * Only the scheduling instance drives agents (src/cluster/scheduler-election.service.ts); when
 * another takes over, it resumes the workers found in PREPARE or BUSY the same way.
 */
@Injectable()
export class WorkerOperations implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerOperations.name);
  private readonly running = new Set<Promise<unknown>>();
  private readonly completing = new Set<Promise<unknown>>();
  private stopping = false;
  /** Changes at each start and stop of scheduling: outcomes of an older term are not written. */
  private term = 0;
  private active = false;

  constructor(
    private readonly workers: WorkersService,
    private readonly dryad: DryadPort,
    private readonly keys: JobKeyPool,
    private readonly box: SecretBox,
    private readonly bus: DomainEventBus,
  ) {}

  onModuleInit(): void {
    this.bus.on('worker.state-changed', (event) => this.start(event.worker));
  }

  async startScheduling(): Promise<void> {
    this.term++;
    this.active = true;
    for (const worker of await this.workers.all()) this.start(worker);
  }

  /**
   * Leadership lost: operations still talking to their agents are abandoned (the next scheduler
   * resumes their workers), outcomes already being written are awaited.
   */
  async stopScheduling(): Promise<void> {
    this.active = false;
    this.term++;
    await Promise.allSettled([...this.completing]);
  }

  /**
   * Stops recording outcomes: an operation still talking to its agent is abandoned (its worker
   * stays PREPARE/BUSY in the database and is resumed at the next start); outcomes already being
   * written are awaited.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.completing]);
  }

  /** Resolves when every operation started so far has finished (tests). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private start(worker: WorkerView): void {
    if (this.stopping || !this.active) return;
    const term = this.term;
    let operation: Promise<unknown> | undefined;
    if (worker.state === WorkerState.Prepare) operation = this.prepare(worker, term);
    if (worker.state === WorkerState.Busy) operation = this.maintenance(worker, term);
    if (!operation) return;
    const tracked = operation.catch((error) =>
      this.logger.error(`worker ${worker.uuid}: ${(error as Error).stack ?? String(error)}`, {
        workerUuid: worker.uuid,
      }),
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }

  private async prepare(worker: WorkerView, term: number): Promise<void> {
    try {
      // A key no one outside the server has seen serves again; else a fresh one from the pool.
      const again = await this.workers.keyToPrepareAgain(worker.uuid);
      const key = again ? this.box.open<JobKeyPair>(again) : await this.keys.take();
      const { username } = await this.dryad.prepare(dryadTarget(worker), key.publicKeySsh);
      await this.record(term, () =>
        this.workers.completePrepare(worker.uuid, worker.stateVersion, {
          ok: true,
          username,
          sealedKey: this.box.seal(key),
        }),
      );
    } catch (error) {
      const reason = (error as Error).message;
      this.logger.warn(`worker ${worker.uuid}: prepare failed: ${reason}`, {
        workerUuid: worker.uuid,
      });
      await this.record(term, () =>
        this.workers.completePrepare(worker.uuid, worker.stateVersion, { ok: false, reason }),
      );
    }
  }

  private async maintenance(worker: WorkerView, term: number): Promise<void> {
    let error: string | null = null;
    try {
      await this.dryad.putInMaintenance(dryadTarget(worker), displayedMessage(worker.maintenance));
    } catch (caught) {
      error = (caught as Error).message;
      this.logger.warn(`worker ${worker.uuid}: maintenance not confirmed: ${error}`, {
        workerUuid: worker.uuid,
      });
    }
    await this.record(term, () =>
      this.workers.completeMaintenance(worker.uuid, worker.stateVersion, error),
    );
  }

  /** Writes an operation's outcome unless the server is shutting down or no longer schedules. */
  private async record(term: number, write: () => Promise<unknown>): Promise<void> {
    if (this.stopping || term !== this.term) return;
    const writing = write();
    this.completing.add(writing);
    try {
      await writing;
    } finally {
      this.completing.delete(writing);
    }
  }
}
