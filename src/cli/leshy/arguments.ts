import { InvalidArgumentError } from 'commander';
import { DURATION_FORMAT_HINT, parseDuration } from '../../config/duration';
import { HIGHEST_PRIORITY, LOWEST_PRIORITY } from '../../common/priority';

/**
 * Parsers of option values for commander: each returns the API's form or throws
 * InvalidArgumentError, which commander reports as a usage error (exit 2).
 */

/**
 * `board=rpi4,arch=arm64|armv7,ram_gb>=4,ram_gb<=16,rev!=a|b` → the caps of API v2
 * (docs/caps.md): `{"board":"rpi4","arch":["arm64","armv7"],"ram_gb":{"min":4,"max":16},
 * "rev":{"not":["a","b"]}}`. A `>=` and a `<=` of one key make one range. Repeating the
 * option merges.
 */
export function parseCaps(
  text: string,
  previous: Record<string, unknown> = {},
): Record<string, unknown> {
  const caps = { ...previous };
  for (const part of text.split(',').map((p) => p.trim())) {
    if (!part) continue;
    const match = /^([^=!<>]+?)\s*(>=|<=|!=|=)\s*(.*)$/.exec(part);
    if (!match || !match[1] || match[3] === '') {
      throw new InvalidArgumentError(
        `"${part}" is not a cap: write key=value (or key=a|b, key>=N, key<=N, key!=value), e.g. board=rpi4,arch=arm64`,
      );
    }
    const [, key, op, value] = match;
    const values = value.split('|').filter(Boolean);
    if (op === '>=' || op === '<=') {
      const bound = Number(value);
      if (!Number.isFinite(bound))
        throw new InvalidArgumentError(`"${part}": ${key}${op} needs a number`);
      const range =
        caps[key] && typeof caps[key] === 'object' && !Array.isArray(caps[key]) ? caps[key] : {};
      caps[key] = { ...(range as object), [op === '>=' ? 'min' : 'max']: bound };
    } else if (op === '!=') caps[key] = { not: values.length === 1 ? values[0] : values };
    else caps[key] = values.length === 1 ? values[0] : values;
  }
  return caps;
}

/** A request priority, 1 (highest) … 16 (lowest). */
export function parsePriority(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < HIGHEST_PRIORITY || value > LOWEST_PRIORITY) {
    throw new InvalidArgumentError(
      `must be a whole number from ${HIGHEST_PRIORITY} (highest) to ${LOWEST_PRIORITY} (lowest)`,
    );
  }
  return value;
}

/** A duration (`90s`, `10m`, `2h`, `1d`) in milliseconds. */
export function parseDurationArg(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new InvalidArgumentError(`"${text}" is not a duration: ${DURATION_FORMAT_HINT}`);
  return ms;
}

/**
 * A point in time: a duration from now (`2h`) or an RFC 3339 time. Returns the ISO string the
 * API takes. `now` is for tests.
 */
export function parseTimeArg(text: string, now = Date.now()): string {
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(now + ms).toISOString();
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))) {
    return new Date(Date.parse(text)).toISOString();
  }
  throw new InvalidArgumentError(
    `"${text}" is neither a duration from now (${DURATION_FORMAT_HINT}) nor an RFC 3339 time (2026-12-02T10:00:00Z)`,
  );
}

/** A request id: a positive whole number. */
export function parseRequestId(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new InvalidArgumentError(`"${text}" is not a request id (a positive whole number)`);
  }
  return Number(text);
}

/** A token or user id. */
export const parseId = (what: string) => (text: string) => {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new InvalidArgumentError(`"${text}" is not a ${what} id (a positive whole number)`);
  }
  return Number(text);
};

/** A comma-separated list (`g1,g2`); an empty string is the empty list. */
export function parseList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** `waiting`, `in-progress`, `IN PROGRESS`, `done,failed` → API v2's state names. */
export function parseStates(text: string): string {
  const known = ['WAITING', 'IN PROGRESS', 'CANCELLED', 'TIMEOUT', 'INVALID', 'DONE', 'FAILED'];
  return parseList(text)
    .map((state) => {
      const upper = state.toUpperCase().replace(/[-_]/g, ' ');
      if (!known.includes(upper)) {
        throw new InvalidArgumentError(
          `"${state}" is not a request state: one of ${known.map((k) => k.toLowerCase().replace(' ', '-')).join(', ')}`,
        );
      }
      return upper;
    })
    .join(',');
}

/** Worker states: `idle`, `maintenance`, `running`, … → `IDLE,…`. */
export function parseWorkerStates(text: string): string {
  return parseList(text)
    .map((s) => s.toUpperCase())
    .join(',');
}

/** A count (`--limit`): a whole number from 1. */
export function parsePositiveInt(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError(`"${text}" is not a whole number from 1`);
  return value;
}

/** `--since`: a duration back from now (`1h`) or an RFC 3339 time; passed on as written. */
export function parseSince(text: string): string {
  if (
    parseDuration(text) === undefined &&
    !(/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text)))
  ) {
    throw new InvalidArgumentError(`"${text}" is neither a duration (1h) nor an RFC 3339 time`);
  }
  return text;
}
