import type { ConsolePort } from '../board/console.port';
import type { StmConnection } from '../board/stm.connection';
import { Logger } from '../log/logger';

/** Where failures go: the registration service in the agent. */
export interface FailureReporter {
  reportFailure(reason: string): void;
  reregister(why: string): void;
}

/**
 * Watches the two things a board cannot work without: the STM answering (a `power` query every
 * probe interval) and the DUT console device being there (the console port tells us). Each
 * fault episode is reported to the server once; when every fault has cleared the agent
 * registers again, which the server takes as the board being back (FAILED → PREPARE).
 */
export class HealthMonitor {
  private timer: NodeJS.Timeout | null = null;
  private stmFault: string | null = null;
  private consoleFault: string | null = null;
  private probing = false;

  constructor(
    private readonly stm: StmConnection,
    private readonly consolePort: ConsolePort,
    private readonly reporter: FailureReporter,
    private readonly probeIntervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.consolePort.on('gone', (reason: string) => this.fault('console', reason));
    this.consolePort.on('back', () => this.cleared('console'));
    const initial = this.consolePort.problem;
    if (initial && !this.consolePort.present) this.fault('console', initial);
    this.timer = setInterval(() => void this.probe(), this.probeIntervalMs);
    this.timer.unref();
    void this.probe();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One STM probe; exposed so tests and the agent can run it on demand. */
  async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await this.stm.use((d) => d.power());
      this.cleared('stm');
    } catch (error) {
      this.fault('stm', (error as Error).message);
    } finally {
      this.probing = false;
    }
  }

  private fault(which: 'stm' | 'console', reason: string): void {
    const current = which === 'stm' ? this.stmFault : this.consoleFault;
    if (current !== null) return; // already reported in this episode
    if (which === 'stm') this.stmFault = reason;
    else this.consoleFault = reason;
    this.log.error(`failure: ${reason}`);
    this.reporter.reportFailure(reason);
  }

  private cleared(which: 'stm' | 'console'): void {
    const had = which === 'stm' ? this.stmFault : this.consoleFault;
    if (had === null) return;
    if (which === 'stm') this.stmFault = null;
    else this.consoleFault = null;
    this.log.info(which === 'stm' ? 'the STM answers again' : 'the DUT console is back');
    if (this.stmFault === null && this.consoleFault === null)
      this.reporter.reregister('all faults cleared');
  }
}
