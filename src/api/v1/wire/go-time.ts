/**
 * Go's time.Time on the wire of API v1: formatting as Go's encoding/json writes it
 * (RFC 3339 with nanoseconds, trailing zeros trimmed, always UTC here) and parsing as
 * time.Time.UnmarshalJSON did in the Go 1.19 build the upstream server was recorded with
 * (RFC 3339, any fraction, same error texts), so a bad date gets the upstream's message.
 */

/** A parsed instant: epoch milliseconds (what Leshy stores) and the nanoseconds Go kept. */
export interface GoInstant {
  epochMs: number;
  /** Go's zero time.Time (0001-01-01T00:00:00Z): "not set" in upstream's API. */
  isZero: boolean;
}

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (any year; Date.UTC maps 0–99 to 19xx). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Go's zero time in epoch milliseconds. */
export const GO_ZERO_TIME_MS = daysFromCivil(1, 1, 1) * MS_PER_DAY;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function dateAndClock(date: Date): string {
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
    `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`
  );
}

/** time.RFC3339Nano as Go's JSON encoder writes it: `2026-11-22T05:51:53.68Z`. */
export function formatGoTimeJson(date: Date): string {
  const ms = date.getUTCMilliseconds();
  const fraction = ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`;
  return `${dateAndClock(date)}${fraction}Z`;
}

/** time.RFC3339 (no fraction, truncated as Go's Format does): the Boruta-Job-Timeout header. */
export function formatGoTimeRfc3339(date: Date): string {
  return `${dateAndClock(date)}Z`;
}

/** Go's time.ParseError, whose text API v1 reports after "invalid request: ". */
export class GoTimeParseError extends Error {}

/** Go's time.quote: quotes and backslashes escaped, bytes outside printable ASCII as \xNN. */
function goTimeQuote(bytes: string): string {
  let out = '"';
  for (const ch of bytes) {
    const code = ch.charCodeAt(0);
    if (code >= 0x80 || code < 0x20) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return `${out}"`;
}

const LAYOUT = '"2006-01-02T15:04:05Z07:00"';

type Std = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'tz' | 'end';

/** The layout's chunks as Go's nextStdChunk cuts them: literal prefix, then a standard element. */
const CHUNKS: ReadonlyArray<{ prefix: string; std: Std; text: string }> = [
  { prefix: '"', std: 'year', text: '2006' },
  { prefix: '-', std: 'month', text: '01' },
  { prefix: '-', std: 'day', text: '02' },
  { prefix: 'T', std: 'hour', text: '15' },
  { prefix: ':', std: 'minute', text: '04' },
  { prefix: ':', std: 'second', text: '05' },
  { prefix: '', std: 'tz', text: 'Z07:00' },
  { prefix: '"', std: 'end', text: '' },
];

const isDigit = (s: string, i: number) => i < s.length && s[i] >= '0' && s[i] <= '9';

/** Go's getnum: one or two digits (exactly two when fixed). */
function getnum(s: string, fixed: boolean): [number, string] | null {
  if (!isDigit(s, 0)) return null;
  if (!isDigit(s, 1)) return fixed ? null : [Number(s[0]), s.slice(1)];
  return [Number(s.slice(0, 2)), s.slice(2)];
}

/** Go's time.atoi: optional sign, then digits only. */
function atoi(s: string): number | null {
  const match = /^([+-]?)(\d+)$/.exec(s);
  if (!match) return null;
  return match[1] === '-' ? -Number(match[2]) : Number(match[2]);
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/**
 * time.Time.UnmarshalJSON (Go 1.19) of the raw JSON literal `raw` (bytes as a latin1 string,
 * quotes included): `null` leaves the time unset, anything else must be a quoted RFC 3339 time.
 */
export function parseGoTimeJson(raw: string): GoInstant | null {
  if (raw === 'null') return null;
  const fail = (valueElem: string, layoutElem: string, message = ''): never => {
    throw new GoTimeParseError(
      message
        ? `parsing time ${goTimeQuote(raw)}${message}`
        : `parsing time ${goTimeQuote(raw)} as ${goTimeQuote(LAYOUT)}: cannot parse ${goTimeQuote(valueElem)} as ${goTimeQuote(layoutElem)}`,
    );
  };
  let value = raw;
  let year = 0;
  let month = -1;
  let day = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let offsetSec = 0;
  for (const chunk of CHUNKS) {
    if (!value.startsWith(chunk.prefix)) fail(value, chunk.prefix);
    value = value.slice(chunk.prefix.length);
    if (chunk.std === 'end') {
      if (value.length > 0) fail(value, '', `: extra text: ${goTimeQuote(value)}`);
      break;
    }
    let bad = false;
    let range = '';
    switch (chunk.std) {
      case 'year': {
        if (value.length < 4 || !isDigit(value, 0)) {
          bad = true;
          break;
        }
        const parsed = atoi(value.slice(0, 4));
        value = value.slice(4);
        if (parsed === null) bad = true;
        else year = parsed;
        break;
      }
      case 'month':
      case 'day':
      case 'hour':
      case 'minute':
      case 'second': {
        const got = getnum(value, chunk.std !== 'hour');
        if (!got) {
          bad = true;
          break;
        }
        const [n, rest] = got;
        value = rest;
        if (chunk.std === 'month') {
          month = n;
          if (n <= 0 || n > 12) range = 'month';
        } else if (chunk.std === 'day') day = n;
        else if (chunk.std === 'hour') {
          hour = n;
          if (n >= 24) range = 'hour';
        } else if (chunk.std === 'minute') {
          minute = n;
          if (n >= 60) range = 'minute';
        } else {
          second = n;
          if (n >= 60) {
            range = 'second';
            break;
          }
          // A fraction after the seconds is accepted although the layout has none.
          if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigit(value, 1)) {
            let n2 = 2;
            while (isDigit(value, n2)) n2++;
            const digits = value.slice(1, Math.min(n2, 10));
            nanos = Number(digits) * 10 ** (9 - digits.length);
            value = value.slice(n2);
          }
        }
        break;
      }
      case 'tz': {
        if (value[0] === 'Z') {
          value = value.slice(1);
          break;
        }
        if (value.length < 6 || value[3] !== ':') {
          bad = true;
          break;
        }
        const sign = value[0];
        const hh = getnum(value.slice(1, 3), true);
        const mm = getnum(value.slice(4, 6), true);
        value = value.slice(6);
        if (!hh || !mm || (sign !== '+' && sign !== '-')) {
          bad = true;
          break;
        }
        offsetSec = (hh[0] * 60 + mm[0]) * 60 * (sign === '-' ? -1 : 1);
        break;
      }
    }
    if (range) fail(value, chunk.text, `: ${range} out of range`);
    // Go reports what is left of the value after the element it failed on.
    if (bad) fail(value, chunk.text);
  }
  if (month < 0) month = 1;
  if (day < 0) day = 1;
  if (day < 1 || day > daysIn(month, year)) fail(value, '', ': day out of range');
  const epochMs =
    daysFromCivil(year, month, day) * MS_PER_DAY +
    ((hour * 60 + minute) * 60 + second - offsetSec) * 1000 +
    Math.floor(nanos / 1e6);
  return { epochMs, isZero: epochMs === GO_ZERO_TIME_MS && nanos === 0 };
}
