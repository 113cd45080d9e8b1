/**
 * Runs `work` when asked, one run at a time: a request while it runs makes it run once more
 * after (never twice in parallel, never a request lost). For readers woken by many signals
 * (commits, notifications, polls) that must read everything new.
 */
export class CoalescedRuns {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly work: () => Promise<void>,
    /** Checked before each run: false stops the runs (shutdown). */
    private readonly live: () => boolean = () => true,
    /** Called once a series of runs is over. */
    private readonly idle: () => void = () => undefined,
  ) {}

  request(): void {
    if (!this.live()) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.work();
      } while (this.again && this.live());
    })().finally(() => {
      this.running = null;
      this.idle();
    });
  }

  /** Whether a run is in progress. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Resolves once the current runs are over (at once if none). */
  async settled(): Promise<void> {
    await this.running;
  }
}
