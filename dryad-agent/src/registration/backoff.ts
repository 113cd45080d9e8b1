/**
 * Exponential backoff with a cap and "equal jitter" (half fixed, half random), so that a lab's
 * hundred boards coming back after a server outage do not all knock at the same instant.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs = 1000,
    private readonly maxMs = 60_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The wait before the next attempt. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(base / 2 + (this.random() * base) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
