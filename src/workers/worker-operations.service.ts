import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { dryadTarget } from '../dryad/dryad-target';
import { DryadPort } from '../dryad/dryad.port';
import { WorkerView } from '../events/domain-event';
import { DomainEventBus } from '../events/domain-event-bus';
import { JobKeyPool } from '../keys/job-key-pool.service';
import { SecretBox } from '../keys/secret-box';
import { WorkerState } from './worker-state';
import { WorkersService } from './workers.service';

/**
 * The long operations that PREPARE and BUSY stand for: preparing a board with a fresh job key,
 * and telling an agent to show maintenance. They run after the state change has committed and
 * report back with the state version they started from, so an operation overtaken by a newer
 * state change is dropped. After a restart, workers found in PREPARE or BUSY are resumed.
 */
@Injectable()
export class WorkerOperations
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(WorkerOperations.name);
  private readonly running = new Set<Promise<unknown>>();
  private readonly completing = new Set<Promise<unknown>>();
  private stopping = false;

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

  async onApplicationBootstrap(): Promise<void> {
    for (const worker of await this.workers.all()) this.start(worker);
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
    if (this.stopping) return;
    let operation: Promise<unknown> | undefined;
    if (worker.state === WorkerState.Prepare) operation = this.prepare(worker);
    if (worker.state === WorkerState.Busy) operation = this.maintenance(worker);
    if (!operation) return;
    const tracked = operation.catch((error) =>
      this.logger.error(`worker ${worker.uuid}: ${(error as Error).stack ?? String(error)}`),
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }

  private async prepare(worker: WorkerView): Promise<void> {
    try {
      const key = await this.keys.take();
      const { username } = await this.dryad.prepare(dryadTarget(worker), key.publicKeySsh);
      await this.record(() =>
        this.workers.completePrepare(worker.uuid, worker.stateVersion, {
          ok: true,
          username,
          sealedKey: this.box.seal(key),
        }),
      );
    } catch (error) {
      const reason = (error as Error).message;
      this.logger.warn(`worker ${worker.uuid}: prepare failed: ${reason}`);
      await this.record(() =>
        this.workers.completePrepare(worker.uuid, worker.stateVersion, { ok: false, reason }),
      );
    }
  }

  private async maintenance(worker: WorkerView): Promise<void> {
    let error: string | null = null;
    try {
      await this.dryad.putInMaintenance(dryadTarget(worker), 'MAINTENANCE');
    } catch (caught) {
      error = (caught as Error).message;
      this.logger.warn(`worker ${worker.uuid}: maintenance not confirmed: ${error}`);
    }
    await this.record(() =>
      this.workers.completeMaintenance(worker.uuid, worker.stateVersion, error),
    );
  }

  /** Writes an operation's outcome unless the server is shutting down. */
  private async record(write: () => Promise<unknown>): Promise<void> {
    if (this.stopping) return;
    const writing = write();
    this.completing.add(writing);
    try {
      await writing;
    } finally {
      this.completing.delete(writing);
    }
  }
}
