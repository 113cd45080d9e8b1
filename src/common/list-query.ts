/** Sorting and paging as the services take them (API v1 and v2 translate into these). */
export type SortOrder = 'asc' | 'desc';
export type PageDirection = 'forward' | 'backward';

export interface SortSpec<Item extends string> {
  item: Item;
  order: SortOrder;
}

/**
 * Upstream Boruta's paginator: the page starts after (forward) or ends before (backward) the
 * border item in the sorted list; no border = from the start (forward) or the end (backward).
 */
export interface PageSpec<Border> {
  border?: Border | null;
  direction: PageDirection;
  limit: number;
}

export interface Page<T> {
  items: T[];
  /** Items matching the filter, on every page. */
  total: number;
  /** Items left beyond this page in the direction of paging. */
  remaining: number;
}

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

export function clampLimit(limit: number | undefined | null): number {
  if (!limit || limit < 1) return DEFAULT_PAGE_LIMIT;
  return Math.min(limit, MAX_PAGE_LIMIT);
}
