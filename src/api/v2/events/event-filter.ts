import { InvalidInputError } from '../../../common/domain-error';
import { EVENT_TYPES } from './event-types';
import type { EventScope } from './event-scope';

/** What a stream (or an audit query) asked for: every given filter must hold. */
export interface EventFilter {
  requestId: number | null;
  workerUuid: string | null;
  /** Exact types and `prefix.` prefixes (from `job.*`); null = every type. */
  types: { exact: Set<string>; prefixes: string[] } | null;
}

export function matchesFilter(filter: EventFilter, type: string, scope: EventScope): boolean {
  if (filter.requestId !== null && scope.requestId !== filter.requestId) return false;
  if (filter.workerUuid !== null && scope.workerUuid !== filter.workerUuid) return false;
  return matchesTypes(filter, type);
}

export function matchesTypes(filter: EventFilter, type: string): boolean {
  if (!filter.types) return true;
  return filter.types.exact.has(type) || filter.types.prefixes.some((p) => type.startsWith(p));
}

/**
 * `types=request.state-changed,job.*`: exact type names, or a prefix ending in `.*` (`*` alone
 * is every type). A name that matches no type is refused, so a typo never streams nothing.
 */
export function parseTypes(raw: string | undefined): EventFilter['types'] {
  if (raw === undefined || raw.trim() === '') return null;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const part of raw.split(',').map((p) => p.trim())) {
    if (part === '*') return null;
    if (part.endsWith('.*')) {
      const prefix = part.slice(0, -1);
      if (!EVENT_TYPES.some((t) => t.startsWith(prefix)))
        throw new InvalidInputError(
          `types: no event type starts with "${prefix}" (types are ${EVENT_TYPES.join(', ')})`,
        );
      prefixes.push(prefix);
    } else if ((EVENT_TYPES as readonly string[]).includes(part)) exact.add(part);
    else
      throw new InvalidInputError(
        `types: "${part}" is not an event type (types are ${EVENT_TYPES.join(', ')}; "job.*" takes every job event)`,
      );
  }
  return { exact, prefixes };
}

/** The filters of a stream; the query DTO has checked the id's and the UUID's formats. */
export function parseEventFilter(query: {
  request?: string;
  worker?: string;
  types?: string;
}): EventFilter {
  return {
    requestId: query.request ? Number(query.request) : null,
    workerUuid: query.worker ? query.worker : null,
    types: parseTypes(query.types),
  };
}
