import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import type { Ask } from '../common/ask';
import { Page, PageSpec, SortSpec } from '../common/list-query';
import { updateIfUnchanged } from '../database/compare-and-set';
import { findRow, findRowOrFail } from '../database/find-row';
import { deferInsert } from '../database/deferred-inserts';
import { insertRowReturningId, insertRows } from '../database/insert-rows';
import { RequestEntity } from './request.entity';
import { listRequests, RequestFilter, RequestSortItem } from './request-list.query';
import { RequestState } from './request-state';

/** A distinct (caps, groups) ask of WAITING requests, as stored (JSON text, raw boolean). */
export interface StoredAsk {
  caps: string;
  owner_groups: string;
  any_group: unknown;
}

/**
 * Every query on requests, by name. Each takes the EntityManager of the caller's unit of work
 * (or read), so it runs in that transaction; the state changes themselves are the state
 * machine's (request-state-machine.ts).
 */
@Injectable()
export class RequestRepository {
  findById(em: EntityManager, id: number): Promise<RequestEntity | null> {
    return findRow(em, RequestEntity, { id });
  }

  findByIdOrFail(em: EntityManager, id: number): Promise<RequestEntity> {
    return findRowOrFail(em, RequestEntity, { id });
  }

  waiting(em: EntityManager): Promise<RequestEntity[]> {
    return em.find(RequestEntity, { where: { state: RequestState.Waiting } });
  }

  /**
   * Inserts a new request; returns its id: `id` if the caller chose it (RequestIds), which lets
   * a SQLite group commit write the row with the others of its batch, else the database's.
   */
  async insert(em: EntityManager, request: RequestEntity, id: number | null): Promise<number> {
    if (id === null) return insertRowReturningId(em, RequestEntity, request);
    const row = { ...request, id };
    if (!deferInsert(em, RequestEntity, row)) await insertRows(em, RequestEntity, [row]);
    return id;
  }

  /** SQLite: the highest request id ever given, deleted rows' included (0 before the first). */
  async highestIdEverGiven(em: EntityManager): Promise<number> {
    const [row] = await em.query<Array<{ highest: number | null }>>(
      `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'requests'), 0),
              COALESCE((SELECT MAX(id) FROM requests), 0)) AS highest`,
    );
    return Number(row?.highest ?? 0);
  }

  /**
   * Writes `changes` over the queue fields of `request` as it was read (priority, place,
   * validAfter, deadline, state version); ConcurrentModificationError if any moved meanwhile.
   */
  updateQueueFieldsIfUnchanged(
    em: EntityManager,
    request: RequestEntity,
    changes: Partial<RequestEntity>,
  ): Promise<void> {
    return updateIfUnchanged(
      em,
      RequestEntity,
      `Request ${request.id}`,
      {
        id: request.id,
        stateVersion: request.stateVersion,
        priority: request.priority,
        queueSeq: request.queueSeq,
        validAfter: request.validAfter,
        deadline: request.deadline,
      },
      changes,
    );
  }

  page(
    em: EntityManager,
    filter: RequestFilter,
    sort: SortSpec<RequestSortItem>,
    page: PageSpec<number>,
  ): Promise<Page<RequestEntity>> {
    return listRequests(em, filter, sort, page);
  }

  /** The request's id and owner only, or null. */
  ownerOf(em: EntityManager, id: number): Promise<Pick<RequestEntity, 'id' | 'owner'> | null> {
    return findRow(em, RequestEntity, { id }, ['id', 'owner']);
  }

  /** The owner of each of these requests (id and owner only). */
  ownersOf(em: EntityManager, ids: number[]): Promise<Array<Pick<RequestEntity, 'id' | 'owner'>>> {
    return em.find(RequestEntity, { where: { id: In(ids) }, select: { id: true, owner: true } });
  }

  async maxQueueSeq(em: EntityManager): Promise<number> {
    const row = await em
      .createQueryBuilder(RequestEntity, 'r')
      .select('MAX(r.queue_seq)', 'max')
      .getRawOne<{ max: string | number | null }>();
    return Number(row?.max ?? 0);
  }

  /** Ids of WAITING requests whose deadline is at or before `now`. */
  async overdueIds(em: EntityManager, now: Date): Promise<number[]> {
    const rows = await em
      .createQueryBuilder(RequestEntity, 'r')
      .select('r.id', 'id')
      .where('r.state = :state AND r.deadline <= :now', {
        state: RequestState.Waiting,
        now: now.getTime(),
      })
      .getRawMany<{ id: number }>();
    return rows.map((row) => Number(row.id));
  }

  /** The distinct asks among WAITING requests: a backlog shares few. */
  distinctWaitingAsks(em: EntityManager): Promise<StoredAsk[]> {
    return em
      .createQueryBuilder(RequestEntity, 'r')
      .select(['r.caps AS caps', 'r.owner_groups AS owner_groups', 'r.any_group AS any_group'])
      .distinct(true)
      .where('r.state = :state', { state: RequestState.Waiting })
      .getRawMany();
  }

  /** The WAITING requests of one stored ask. */
  waitingWithAsk(em: EntityManager, ask: StoredAsk, anyGroup: boolean): Promise<RequestEntity[]> {
    return em
      .createQueryBuilder(RequestEntity, 'r')
      .where(
        'r.state = :state AND r.caps = :caps AND r.owner_groups = :groups AND r.any_group = :anyGroup',
        { state: RequestState.Waiting, caps: ask.caps, groups: ask.owner_groups, anyGroup },
      )
      .getMany();
  }

  async unservableNoteOf(em: EntityManager, id: number): Promise<string | null> {
    const row = await em.findOne(RequestEntity, {
      where: { id },
      select: ['id', 'unservableNote'],
    });
    return row?.unservableNote ?? null;
  }

  /** Notes these requests, those still WAITING. */
  async noteUnservable(em: EntityManager, ids: number[], note: string): Promise<void> {
    await em.update(
      RequestEntity,
      { id: In(ids), state: RequestState.Waiting },
      { unservableNote: note },
    );
  }

  /** The asks of WAITING requests that carry an unservable note. */
  notedWaiting(em: EntityManager): Promise<Array<Ask & { id: number }>> {
    return em
      .createQueryBuilder(RequestEntity, 'r')
      .select(['r.id', 'r.caps', 'r.ownerGroups', 'r.anyGroup'])
      .where('r.state = :state AND r.unservable_note IS NOT NULL', {
        state: RequestState.Waiting,
      })
      .getMany();
  }

  async clearUnservableNotes(em: EntityManager, ids: number[]): Promise<void> {
    await em.update(RequestEntity, ids, { unservableNote: null });
  }
}
