import type { Caps } from 'dryad-agent/protocol';
import { compareCodePoints } from '../common/caps';
import { clampLimit, Page, PageSpec, SortSpec } from '../common/list-query';
import { WorkerView } from '../events/domain-event';
import { capsSatisfied } from '../common/ask';
import { WorkerBorderNotFoundError } from './worker.errors';

/** Groups: any-of; caps: every given cap equal; states: any-of; missing or empty: everything. */
export interface WorkerFilter {
  groups?: string[];
  caps?: Caps;
  states?: string[];
}

export const WORKER_SORT_ITEMS = ['uuid', 'state', 'groups'] as const;
export type WorkerSortItem = (typeof WORKER_SORT_ITEMS)[number];

const COMPARE: Record<WorkerSortItem, (a: WorkerView, b: WorkerView) => number> = {
  uuid: (a, b) => compareCodePoints(a.uuid, b.uuid),
  state: (a, b) => compareCodePoints(a.state, b.state) || compareCodePoints(a.uuid, b.uuid),
  groups: (a, b) => compareGroups(a.groups, b.groups) || compareCodePoints(a.uuid, b.uuid),
};

/**
 * A border worker that is gone (deregistered since the previous page): API v1 refuses it as
 * upstream does; API v2's cursors (UUID order) go on after where it stood.
 */
export type MissingBorder = 'refuse' | 'continue';

/**
 * Workers are few (one per board), so the listing filters and sorts in memory; the paginator
 * works as for requests (border UUID, direction, limit).
 */
export function pageOfWorkers(
  workers: WorkerView[],
  filter: WorkerFilter,
  sort: SortSpec<WorkerSortItem>,
  page: PageSpec<string>,
  missingBorder: MissingBorder = 'refuse',
): Page<WorkerView> {
  const limit = clampLimit(page.limit);
  const sign = sort.order === 'asc' ? 1 : -1;
  const list = workers
    .filter((w) => matches(w, filter))
    .sort((a, b) => sign * COMPARE[sort.item](a, b));
  let start = 0;
  let end = list.length;
  if (page.border) {
    const border =
      workers.find((w) => w.uuid === page.border) ??
      (missingBorder === 'continue' && sort.item === 'uuid'
        ? ({ uuid: page.border } as WorkerView)
        : null);
    if (!border) throw new WorkerBorderNotFoundError(page.border);
    // Position of the border in the sorted list, even if the filter excludes it.
    const position = list.filter((w) => sign * COMPARE[sort.item](w, border) < 0).length;
    const inList = list[position]?.uuid === border.uuid;
    if (page.direction === 'forward') start = inList ? position + 1 : position;
    else end = position;
  }
  const items =
    page.direction === 'forward'
      ? list.slice(start, Math.min(end, start + limit))
      : list.slice(Math.max(start, end - limit), end);
  return { items, total: list.length, remaining: end - start - items.length };
}

function matches(worker: WorkerView, filter: WorkerFilter): boolean {
  if (filter.groups?.length && !filter.groups.some((g) => worker.groups.includes(g))) return false;
  if (filter.caps && !capsSatisfied(filter.caps, worker.caps)) return false;
  if (filter.states?.length && !filter.states.includes(worker.state)) return false;
  return true;
}

function compareGroups(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareCodePoints(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}
