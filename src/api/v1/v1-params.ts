import { MAX_PAGE_LIMIT, PageSpec, SortSpec } from '../../common/list-query';
import { RequestFilter, RequestSortItem } from '../../requests/request-list.query';
import { RequestState } from '../../requests/request-state';
import { RequestNotFoundError } from '../../requests/request.errors';
import { WorkerFilter, WorkerSortItem } from '../../workers/worker-list.query';
import { V1BadRequestIdError, V1BadWorkerUuidError, V1WrongSortItemError } from './v1.errors';
import type { RequestsListSpecBody, WorkersListSpecBody } from './wire/boruta.types';
import type { GoInstant } from './wire/go-time';

const UINT64_MAX = (1n << 64n) - 1n;

/** A request ID from the URL, parsed as Go's strconv.ParseUint(id, 10, 64). */
export function parseRequestId(text: string): number {
  if (!/^\d+$/.test(text) || BigInt(text) > UINT64_MAX) throw new V1BadRequestIdError();
  const id = BigInt(text);
  // A valid uint64 beyond what Leshy can have issued names no request.
  if (id > BigInt(Number.MAX_SAFE_INTEGER)) throw new RequestNotFoundError(Number(id));
  return Number(id);
}

/** Upstream accepts lowercase UUIDs only. */
const UUID = /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/;

export function parseWorkerUuid(text: string): string {
  if (!UUID.test(text)) throw new V1BadWorkerUuidError();
  return text;
}

/** A Go time.Time from a body: unset (Go's zero time or absent) → null. */
export function instantToDate(instant: GoInstant | null): Date | null {
  return instant && !instant.isZero ? new Date(instant.epochMs) : null;
}

export function mapToCaps(map: Map<string, string> | null): Record<string, string> {
  return Object.fromEntries(map ?? []);
}

/** Upstream's page size is up to 65535 items; Leshy pages by at most MAX_PAGE_LIMIT. */
function pageLimit(limit: number | undefined): number {
  return limit ? Math.min(limit, MAX_PAGE_LIMIT) : MAX_PAGE_LIMIT;
}

const REQUEST_SORT_ITEMS: Record<string, RequestSortItem> = {
  '': 'id',
  id: 'id',
  priority: 'priority',
  state: 'state',
  validafter: 'validAfter',
  deadline: 'deadline',
};

const WORKER_SORT_ITEMS: Record<string, WorkerSortItem> = {
  '': 'uuid',
  uuid: 'uuid',
  state: 'state',
  groups: 'groups',
};

function sortItem<T>(items: Record<string, T>, item: string | undefined): T {
  const found = items[(item ?? '').toLowerCase()];
  if (found === undefined) throw new V1WrongSortItemError();
  return found;
}

export interface ListQuery<Filter, Item extends string, Border> {
  filter: Filter;
  sort: SortSpec<Item>;
  page: PageSpec<Border>;
}

/** http.RequestsListSpec (null = no body) → the core's listing query. */
export function toRequestListQuery(
  spec: RequestsListSpecBody | null,
): ListQuery<RequestFilter, RequestSortItem, number> {
  const filter = spec?.Filter;
  return {
    filter: {
      // IDs beyond what Leshy can have issued match nothing (and must not widen the filter).
      ids: filter?.IDs?.map((id) => (id > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(id))),
      priorities: filter?.Priorities ?? undefined,
      // Compared as sent, as upstream's filter does: the Go client's filter.NewRequests is what
      // upper-cases, so "waiting" from anyone else matches nothing there either.
      states: (filter?.States ?? undefined) as RequestState[] | undefined,
    },
    sort: {
      item: sortItem(REQUEST_SORT_ITEMS, spec?.Sorter?.Item),
      order: spec?.Sorter?.Order ?? 'asc',
    },
    page: {
      // A border beyond any issued id names no request (404), and must reach no id column as
      // a number the database cannot hold.
      border: spec?.Paginator?.ID
        ? Number(
            spec.Paginator.ID > BigInt(Number.MAX_SAFE_INTEGER)
              ? Number.MAX_SAFE_INTEGER
              : spec.Paginator.ID,
          )
        : null,
      direction: spec?.Paginator?.Direction ?? 'forward',
      limit: pageLimit(spec?.Paginator?.Limit),
    },
  };
}

/** http.WorkersListSpec (null = no body) → the core's listing query. */
export function toWorkerListQuery(
  spec: WorkersListSpecBody | null,
): ListQuery<WorkerFilter, WorkerSortItem, string> {
  return {
    filter: {
      groups: spec?.Filter?.Groups ?? undefined,
      caps: spec?.Filter?.Capabilities ? mapToCaps(spec.Filter.Capabilities) : undefined,
    },
    sort: {
      item: sortItem(WORKER_SORT_ITEMS, spec?.Sorter?.Item),
      order: spec?.Sorter?.Order ?? 'asc',
    },
    page: {
      border: spec?.Paginator?.ID || null,
      direction: spec?.Paginator?.Direction ?? 'forward',
      limit: pageLimit(spec?.Paginator?.Limit),
    },
  };
}
