import type { AccessBackend } from '../access/access.backend';
import type { JobAccess } from '../access/job.access';
import type { JobWorkspace } from '../access/job.workspace';
import type { PublicKey } from '../access/public-key';
import type { BoardService } from '../board/board.service';
import type { ConsolePort } from '../board/console.port';
import type { MaintenanceDisplay } from '../board/maintenance.display';
import type { StmConnection } from '../board/stm.connection';
import { Logger } from '../log/logger';
import type { AgentStatus, PrepareResult } from '../protocol';

export interface ControlServiceDeps {
  uuid: string;
  jobUser: string;
  jobs: JobAccess;
  workspace: JobWorkspace;
  backend: AccessBackend;
  display: MaintenanceDisplay;
  board: BoardService;
  stm: StmConnection;
  console: ConsolePort;
  healthcheckTickMs: number;
  log: Logger;
}

/**
 * What the server's control commands do. Runs them one at a time: a prepare racing a
 * maintenance would otherwise leave keys installed on a board in maintenance.
 */
export class ControlService {
  private tail: Promise<unknown> = Promise.resolve();
  private maintenance = { active: false, message: '' };
  private closing: Promise<void> | null = null;

  constructor(private readonly d: ControlServiceDeps) {}

  /**
   * Starts a fresh job: revokes the previous job's keys and closes its sessions, empties the
   * workspace, stops the maintenance display, and admits `keys` as the job user.
   */
  prepare(keys: PublicKey[]): Promise<PrepareResult> {
    return this.serial(async () => {
      const previous = this.d.jobs.username;
      this.d.jobs.revoke('prepare');
      this.maintenance = { active: false, message: '' };
      await this.d.workspace.reset();
      await this.d.display.clear();
      if (previous && previous !== this.d.jobUser) await this.d.backend.endJob(previous);
      await this.d.backend.startJob(
        this.d.jobUser,
        keys.map((k) => k.line),
      );
      this.d.jobs.start(this.d.jobUser, keys);
      return { username: this.d.jobUser };
    });
  }

  /**
   * Admits one more key (a tester's own) for the current job: all or nothing, so the key is
   * admitted on the agent's port only once the backend (authorized_keys) has it too. With
   * `forJob` (the fingerprint of a key of the job it is meant for), only while that job runs:
   * an authorize that arrives after the board was prepared for the next job is refused, so a
   * tester's key never joins someone else's job.
   */
  authorize(key: PublicKey, forJob?: string): Promise<void> {
    return this.serial(async () => {
      if (forJob !== undefined && !this.d.jobs.admitsFingerprint(forJob))
        throw new Error(`the job of key ${forJob} is not the board's current job any more`);
      await this.d.backend.updateKeys(this.d.jobUser, this.d.jobs.keyLinesWith(key));
      this.d.jobs.authorize(key);
      this.d.log.info(`job now admits ${this.d.jobs.keyCount} key(s)`);
    });
  }

  /**
   * The agent stops: ends the job as a close does (system mode: the job user, its processes
   * and files go), after whatever command is running, and refuses any command after it.
   */
  close(): Promise<void> {
    this.closing ??= this.serial(async () => {
      const previous = this.d.jobs.username;
      this.d.jobs.revoke('agent stopping');
      if (this.d.backend.mode === 'system') await this.d.backend.endJob(previous ?? this.d.jobUser);
    });
    return this.closing;
  }

  /**
   * Takes the board out of testers' hands: revokes job keys, closes sessions, and shows
   * `message` on the OLED with the LEDs blinking. Access is revoked even if the STM fails.
   */
  enterMaintenance(message: string): Promise<void> {
    return this.serial(async () => {
      const previous = this.d.jobs.username;
      this.d.jobs.revoke('maintenance');
      this.maintenance = { active: true, message };
      if (previous) await this.d.backend.endJob(previous);
      this.d.log.info(`maintenance: ${JSON.stringify(message)}`);
      try {
        await this.d.display.show(message);
      } catch (error) {
        throw new Error(
          `tester access is revoked, but the display failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    });
  }

  /** Problems found, each one line for a lab admin; empty when healthy. */
  async healthcheck(): Promise<string[]> {
    const problems: string[] = [];
    try {
      await this.d.board.powerTick(this.d.healthcheckTickMs);
    } catch (error) {
      problems.push((error as Error).message);
    }
    const consoleProblem = this.d.console.problem;
    if (consoleProblem) problems.push(consoleProblem);
    return problems;
  }

  async status(): Promise<AgentStatus> {
    let power: AgentStatus['stm']['power'] = 'unknown';
    let mux: AgentStatus['stm']['mux'] = 'unknown';
    try {
      power = await this.d.board.power();
      const side = await this.d.board.muxSide();
      mux = side === 'invalid' ? 'unknown' : side;
    } catch {
      // reported as not responding below
    }
    return {
      uuid: this.d.uuid,
      accessMode: this.d.backend.mode,
      maintenance: { ...this.maintenance },
      job: {
        active: this.d.jobs.active,
        username: this.d.jobs.username,
        keys: this.d.jobs.keyCount,
      },
      stm: {
        responding: power !== 'unknown' && this.d.stm.responding,
        power,
        mux,
      },
      console: { present: this.d.console.present, path: this.d.console.path },
    };
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new Error('the agent is stopping'));
    const run = this.tail.then(job, job);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
