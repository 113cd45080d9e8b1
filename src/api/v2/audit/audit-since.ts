import { InvalidInputError } from '../../../common/domain-error';
import { parseDuration } from '../../../config/duration';

/** `since=1h` (that long before now) or `since=2026-12-02T10:00:00Z` (a time): the moment. */
export function parseSince(raw: string | undefined, now: Date): Date | null {
  if (raw === undefined || raw === '') return null;
  const ago = parseDuration(raw);
  if (ago !== undefined) return new Date(now.getTime() - ago);
  const time = /^\d{4}-\d{2}-\d{2}T/.test(raw) ? new Date(raw) : new Date(NaN);
  if (Number.isNaN(time.getTime()))
    throw new InvalidInputError(
      `since must be a duration before now (90s, 10m, 1h, 1d) or an RFC 3339 time (2026-12-02T10:00:00Z), got "${raw}"`,
    );
  return time;
}
