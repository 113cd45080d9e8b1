import { InvalidInputError } from '../../../common/domain-error';
import { SortSpec } from '../../../common/list-query';
import { parseDuration } from '../../../config/duration';
import { RequestSortItem } from '../../../requests/request-list.query';
import { isRequestState, REQUEST_STATES, RequestState } from '../../../requests/request-state';
import type { V2Sort } from './request-input.dto';

export const DEFAULT_WAIT_MS = 30_000;
export const MAX_WAIT_MS = 5 * 60_000;

/**
 * States as a query names them, comma-separated: upstream's names (`IN PROGRESS`), and
 * `IN_PROGRESS` for callers that cannot put a space in a URL.
 */
export function parseStates(text: string, field: string): RequestState[] {
  const states = text
    .split(',')
    .map((s) => s.trim().replace(/_/g, ' '))
    .filter((s) => s !== '');
  const unknown = states.filter((s) => !isRequestState(s));
  if (states.length === 0 || unknown.length)
    throw new InvalidInputError(
      `${field} must list request states, comma-separated, out of ${REQUEST_STATES.join(', ')}; got ${JSON.stringify(text)}`,
    );
  return states as RequestState[];
}

export function parseWaitTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_WAIT_MS;
  const ms = parseDuration(text);
  if (ms === undefined || ms < 1000 || ms > MAX_WAIT_MS)
    throw new InvalidInputError(
      `timeout must be a duration from 1s to 5m (e.g. 30s, 5m), got ${JSON.stringify(text)}`,
    );
  return ms;
}

export function sortSpecOf(sort: V2Sort): SortSpec<RequestSortItem> {
  const descending = sort.startsWith('-');
  return {
    item: (descending ? sort.slice(1) : sort) as RequestSortItem,
    order: descending ? 'desc' : 'asc',
  };
}

/** An RFC 3339 time of a body (the DTO checked its format). */
export function timeOf(text: string | undefined): Date | null {
  return text === undefined ? null : new Date(text);
}
