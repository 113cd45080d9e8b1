import { Logger } from '../log/logger';

/**
 * Tells the server that testers are using the board (the server ends jobs nobody uses, see
 * LESHY_IDLE_JOB_TIMEOUT), coalesced: at most one report per `intervalMs`. Activity is a
 * one-off event (`touch`: a command, a flash, an SFTP request) or a session that counts for as
 * long as it stays open (`sessionOpened`): while one is open, a report goes out every interval.
 */
export class ActivityReporter {
  private openSessions = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  /** A coalesced report waiting for the interval to pass. */
  private deferred: NodeJS.Timeout | null = null;
  /** Reports while sessions stay open. */
  private ticker: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly report: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Something a tester did just now. */
  touch(): void {
    if (this.stopped || this.deferred) return;
    const wait = this.lastSentAt + this.intervalMs - Date.now();
    if (wait <= 0) return this.send();
    this.deferred = setTimeout(() => {
      this.deferred = null;
      this.send();
    }, wait);
    this.deferred.unref();
  }

  /** A tester session opened; call the returned function when it closes. */
  sessionOpened(): () => void {
    this.openSessions++;
    this.touch();
    if (!this.ticker) {
      this.ticker = setInterval(() => this.touch(), this.intervalMs);
      this.ticker.unref();
    }
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      if (--this.openSessions > 0 || !this.ticker) return;
      clearInterval(this.ticker);
      this.ticker = null;
    };
  }

  stop(): void {
    this.stopped = true;
    if (this.deferred) clearTimeout(this.deferred);
    if (this.ticker) clearInterval(this.ticker);
    this.deferred = this.ticker = null;
  }

  private send(): void {
    this.lastSentAt = Date.now();
    // A lost report only shortens the job's idle time: the next one (or the session) repairs it.
    this.report().catch((error: Error) =>
      this.log.debug(`activity report not counted: ${error.message}`),
    );
  }
}
