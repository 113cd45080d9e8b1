import { Brackets, EntityManager, SelectQueryBuilder } from 'typeorm';
import { clampLimit, Page, PageSpec, SortSpec } from '../common/list-query';
import { RequestEntity } from './request.entity';
import { PaginatorBorderNotFoundError } from './request.errors';
import { RequestState } from './request-state';

/** Any-of within a field, AND across fields; an empty or missing field matches everything. */
export interface RequestFilter {
  ids?: number[];
  states?: RequestState[];
  priorities?: number[];
  /** Owner keys as the `owner` column holds them (`user:<id>`, `anonymous`). */
  owners?: string[];
  /** Requests whose job ran (or runs) on one of these workers. */
  workerUuids?: string[];
}

export const REQUEST_SORT_ITEMS = [
  'id',
  'priority',
  'state',
  'validAfter',
  'deadline',
  'createdAt',
] as const;
export type RequestSortItem = (typeof REQUEST_SORT_ITEMS)[number];

const SORT_COLUMN: Record<RequestSortItem, string> = {
  id: 'r.id',
  priority: 'r.priority',
  state: 'r.state',
  validAfter: 'r.validAfter',
  deadline: 'r.deadline',
  createdAt: 'r.createdAt',
};

/**
 * Filtered, sorted, paged request listing done in SQL with keyset paging on (sort column, id),
 * so a page costs the same at any depth of a large history.
 */
export async function listRequests(
  em: EntityManager,
  filter: RequestFilter,
  sort: SortSpec<RequestSortItem>,
  page: PageSpec<number>,
): Promise<Page<RequestEntity>> {
  const limit = clampLimit(page.limit);
  const column = SORT_COLUMN[sort.item];
  const filtered = () => applyFilter(em.createQueryBuilder(RequestEntity, 'r'), filter);
  const total = await filtered().getCount();

  // Paging backward walks the list in reverse from the border, then turns the page around.
  const ascending = (sort.order === 'asc') === (page.direction === 'forward');
  const dir = ascending ? 'ASC' : 'DESC';
  const beyond = filtered();
  if (page.border) {
    const border = await em.findOne(RequestEntity, { where: { id: page.border } });
    if (!border) throw new PaginatorBorderNotFoundError(String(page.border));
    const key = sortKeyOf(border, sort.item);
    const cmp = ascending ? '>' : '<';
    beyond.andWhere(
      new Brackets((qb) =>
        qb
          .where(`${column} ${cmp} :key`, { key })
          .orWhere(`(${column} = :key AND r.id ${cmp} :borderId)`, { key, borderId: border.id }),
      ),
    );
  }
  const matching = await beyond.clone().getCount();
  const items = await beyond.orderBy(column, dir).addOrderBy('r.id', dir).take(limit).getMany();
  if (page.direction === 'backward') items.reverse();
  return { items, total, remaining: Math.max(0, matching - items.length) };
}

function applyFilter(qb: SelectQueryBuilder<RequestEntity>, filter: RequestFilter) {
  if (filter.ids?.length) qb.andWhere('r.id IN (:...ids)', { ids: filter.ids });
  if (filter.states?.length) qb.andWhere('r.state IN (:...states)', { states: filter.states });
  if (filter.priorities?.length)
    qb.andWhere('r.priority IN (:...priorities)', { priorities: filter.priorities });
  if (filter.owners?.length) qb.andWhere('r.owner IN (:...owners)', { owners: filter.owners });
  if (filter.workerUuids?.length)
    qb.andWhere('r.id IN (SELECT j.request_id FROM jobs j WHERE j.worker_uuid IN (:...workers))', {
      workers: filter.workerUuids,
    });
  return qb;
}

function sortKeyOf(request: RequestEntity, item: RequestSortItem): string | number {
  switch (item) {
    case 'id':
      return request.id;
    case 'priority':
      return request.priority;
    case 'state':
      return request.state;
    case 'validAfter':
      return request.validAfter.getTime();
    case 'deadline':
      return request.deadline.getTime();
    case 'createdAt':
      return request.createdAt.getTime();
  }
}
