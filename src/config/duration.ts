/** Durations in configuration and APIs: a whole number followed by s, m, h or d (`90s`, `15m`, `1h`, `30d`). */
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+)(s|m|h|d)$/;

export const DURATION_FORMAT_HINT =
  'a whole number followed by s, m, h or d, e.g. 90s, 15m, 1h, 30d';

/** Parses a duration; returns milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** Formats milliseconds back into the largest exact unit (for messages and docs). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's']) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
