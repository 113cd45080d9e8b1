import { Injectable, Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from './database-unavailable';

/** How often an outage that goes on is logged again. */
const LOG_EVERY_MS = 60_000;

/**
 * Where the background loops (sweep, health checks) report their database failures: an outage
 * is logged when it starts and then once a minute with the number of failures meanwhile, not
 * once per failure, and its end is logged once. The loops simply try again on their next tick.
 */
@Injectable()
export class DatabaseOutage {
  private readonly logger = new Logger('Database');
  private since: number | null = null;
  private loggedAt = 0;
  private failures = 0;

  /**
   * Records a failure of `what`; returns true when `error` means the database is unavailable
   * (then it is logged here, at most once a minute), false for any other error, which the
   * caller logs itself.
   */
  failed(what: string, error: unknown): boolean {
    if (!isDatabaseUnavailable(error)) return false;
    const now = performance.now();
    this.failures++;
    if (this.since === null || now - this.loggedAt >= LOG_EVERY_MS) {
      const ongoing =
        this.since === null
          ? ''
          : ` (for ${Math.round((now - this.since) / 1000)} s, ${this.failures} failures in the last minute)`;
      this.since ??= now;
      this.loggedAt = now;
      this.failures = 0;
      this.logger.error(
        `database is unavailable${ongoing}: ${(error as Error).message} [${what}]; ` +
          'HTTP answers 503 and background work retries until it is back',
      );
    }
    return true;
  }

  /** Records a success; logs the end of an outage once. */
  succeeded(): void {
    if (this.since === null) return;
    const seconds = Math.round((performance.now() - this.since) / 1000);
    this.since = null;
    this.failures = 0;
    this.logger.log(`database is reachable again (unavailable for ${seconds} s)`);
  }
}
