import type { Caps } from 'dryad-agent/protocol';
import { compareCodePoints } from './caps';
import { InvalidInputError } from './domain-error';

/**
 * What a request asks of one cap (docs/caps.md). Workers' caps stay strings; a request may ask
 * for an exact value (a string), any of several (a list), a number in a range, or anything but
 * some values. Stored in requests.caps as the canonical form normalizeCapsQuery returns.
 */
export type CapAsk = string | readonly string[] | CapRange | CapNot;

/** Inclusive bounds, at least one of them; the worker's value must be a number. */
export interface CapRange {
  readonly min?: number;
  readonly max?: number;
}

/** The worker lacks the cap, or has a value other than these. */
export interface CapNot {
  readonly not: string | readonly string[];
}

/** A request's caps as RequestsService.create takes them (exact-only caps are a CapsQuery too). */
export type CapsQuery = Readonly<Record<string, CapAsk>>;

const RULES = 'a string, a list of strings, {"min":…,"max":…} or {"not":…}';
/** Values in one list: plenty for a lab, and the matcher indexes an ask under each of them. */
export const MAX_CAP_VALUES = 256;

/**
 * The canonical form of a caps query, or an InvalidInputError naming the key and the rule:
 * keys sorted by code point; exact values stay strings (so API v1's rows and old rows are
 * unchanged); lists sorted and without duplicates, a one-value list written as that string;
 * ranges as {min, max} in that order; negations as {not: string | sorted list}. Two asks that
 * mean the same thing are then the same JSON text, which is what the matcher groups by.
 */
export function normalizeCapsQuery(caps: unknown, what = 'caps'): CapsQuery {
  if (caps === null || caps === undefined) return {};
  if (typeof caps !== 'object' || Array.isArray(caps)) {
    throw new InvalidInputError(
      `${what} must be an object, e.g. {"board":"rpi4","arch":["arm64","armv7"]}`,
    );
  }
  const result: Record<string, CapAsk> = {};
  for (const key of Object.keys(caps).sort(compareCodePoints)) {
    if (key === '') throw new InvalidInputError(`${what} has an empty key`);
    result[key] = normalizeCapAsk((caps as Record<string, unknown>)[key], `${what}.${key}`);
  }
  return result;
}

function normalizeCapAsk(value: unknown, what: string): CapAsk {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.length === 0)
      throw new InvalidInputError(
        `${what}: an empty list matches no worker; give at least one value`,
      );
    return oneOrList(strings(value, what, 'a list'));
  }
  if (value === null || typeof value !== 'object')
    throw new InvalidInputError(`${what} must be ${RULES}, got ${JSON.stringify(value)}`);
  const rules = Object.keys(value);
  for (const rule of rules) {
    if (rule !== 'min' && rule !== 'max' && rule !== 'not')
      throw new InvalidInputError(
        `${what}: unknown rule ${JSON.stringify(rule)}; a rule is {"min":…,"max":…} or {"not":…}`,
      );
  }
  if (rules.length === 0)
    throw new InvalidInputError(`${what}: {} has no rule; give "min", "max" or "not"`);
  const object = value as Record<string, unknown>;
  if ('not' in object) {
    if (rules.length > 1)
      throw new InvalidInputError(`${what}: "not" cannot be combined with "min" or "max"`);
    return { not: normalizeNot(object.not, what) };
  }
  return normalizeRange(object, what);
}

function normalizeNot(value: unknown, what: string): string | readonly string[] {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value))
    throw new InvalidInputError(
      `${what}: not must be a string or a list of strings, got ${JSON.stringify(value)}`,
    );
  if (value.length === 0)
    throw new InvalidInputError(`${what}: not [] excludes nothing; give at least one value`);
  return oneOrList(strings(value, what, 'the list of not'));
}

function normalizeRange(object: Record<string, unknown>, what: string): CapRange {
  const range: { min?: number; max?: number } = {};
  for (const bound of ['min', 'max'] as const) {
    if (!(bound in object)) continue;
    const n = object[bound];
    if (typeof n !== 'number' || !Number.isFinite(n))
      throw new InvalidInputError(`${what}: ${bound} must be a number, got ${JSON.stringify(n)}`);
    range[bound] = n;
  }
  if (range.min !== undefined && range.max !== undefined && range.min > range.max)
    throw new InvalidInputError(`${what}: min ${range.min} is above max ${range.max}`);
  return range;
}

function strings(list: unknown[], what: string, which: string): string[] {
  if (list.length > MAX_CAP_VALUES)
    throw new InvalidInputError(
      `${what}: ${which} holds ${list.length} values, at most ${MAX_CAP_VALUES} are allowed`,
    );
  const bad = list.findIndex((v) => typeof v !== 'string');
  if (bad >= 0)
    throw new InvalidInputError(
      `${what}: ${which} must hold strings only, got ${JSON.stringify(list[bad])} at index ${bad}`,
    );
  return [...new Set(list as string[])].sort(compareCodePoints);
}

function oneOrList(values: string[]): string | readonly string[] {
  return values.length === 1 ? values[0] : values;
}

/**
 * A worker's cap value as a number, for ranges: decimal notation only (`8`, `-1.5`, `2e3`), so
 * `""`, `0x10` or ` 8` are not numbers (Number() would say 0, 16 and 8).
 */
export function numericCapValue(value: string): number | null {
  if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Whether a worker whose value of the cap is `have` (undefined: it lacks it) satisfies `want`. */
export function capSatisfied(want: CapAsk, have: string | undefined): boolean {
  if (typeof want === 'string') return have === want;
  if (isAnyOf(want)) return have !== undefined && want.includes(have);
  if (isNot(want)) {
    if (have === undefined) return true;
    return typeof want.not === 'string' ? have !== want.not : !want.not.includes(have);
  }
  const n = have === undefined ? null : numericCapValue(have);
  if (n === null) return false;
  return (want.min === undefined || n >= want.min) && (want.max === undefined || n <= want.max);
}

/** Every cap of the query is satisfied by the worker's caps. */
export function capsQuerySatisfied(query: CapsQuery, offered: Caps): boolean {
  for (const key in query) {
    const want = query[key];
    // Exact values first and inline: the common case, as cheap as before rich asks existed.
    if (typeof want === 'string' ? offered[key] !== want : !capSatisfied(want, offered[key]))
      return false;
  }
  return true;
}

export function isAnyOf(want: CapAsk): want is readonly string[] {
  return Array.isArray(want);
}

export function isNot(want: CapAsk): want is CapNot {
  return typeof want === 'object' && !Array.isArray(want) && 'not' in want;
}

/** True when every cap asks for one exact value (what API v1 can file and show). */
export function isExactOnly(query: CapsQuery): query is Caps {
  return Object.values(query).every((want) => typeof want === 'string');
}

/** The rule in words, for notes and logs: `arch one of arm64, armv7`, `ram_gb ≥ 8`. */
export function describeCapAsk(key: string, want: CapAsk): string {
  if (typeof want === 'string') return `${key}=${want}`;
  if (isAnyOf(want)) return `${key} one of ${want.join(', ')}`;
  if (isNot(want)) {
    const values = typeof want.not === 'string' ? want.not : want.not.join(', ');
    return `${key} missing or not ${values}`;
  }
  const range = want as CapRange;
  if (range.min !== undefined && range.max !== undefined)
    return `${key} a number from ${range.min} to ${range.max}`;
  if (range.min !== undefined) return `${key} a number ≥ ${range.min}`;
  return `${key} a number ≤ ${range.max}`;
}
