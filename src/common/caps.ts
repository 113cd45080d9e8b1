import type { Caps } from 'dryad-agent/protocol';
import { InvalidInputError } from './domain-error';

/**
 * Canonical form of capabilities: keys sorted by code point (as Go's encoding/json writes a
 * map, so API v1 output matches upstream byte for byte), string values only.
 */
export function normalizeCaps(caps: unknown, what = 'caps'): Caps {
  if (caps === null || caps === undefined) return {};
  if (typeof caps !== 'object' || Array.isArray(caps)) {
    throw new InvalidInputError(
      `${what} must be an object of string values, e.g. {"board":"rpi4"}`,
    );
  }
  const result: Caps = {};
  for (const key of Object.keys(caps).sort(compareCodePoints)) {
    const value = (caps as Record<string, unknown>)[key];
    if (key === '') throw new InvalidInputError(`${what} has an empty key`);
    if (typeof value !== 'string') {
      throw new InvalidInputError(`${what}.${key} must be a string, got ${JSON.stringify(value)}`);
    }
    result[key] = value;
  }
  return result;
}

/** Canonical form of groups: unique, sorted. */
export function normalizeGroups(groups: unknown, what = 'groups'): string[] {
  if (groups === null || groups === undefined) return [];
  if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string' || g === '')) {
    throw new InvalidInputError(`${what} must be a list of non-empty names, e.g. ["lab-a"]`);
  }
  return [...new Set(groups as string[])].sort(compareCodePoints);
}

export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
