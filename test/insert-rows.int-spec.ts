import { DataSource, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditEventEntity } from '../src/events/audit-event.entity';
import { insertRowReturningId, insertRows } from '../src/database/insert-rows';
import { JobEntity } from '../src/jobs/job.entity';
import { RequestEntity } from '../src/requests/request.entity';
import { RequestState } from '../src/requests/request-state';
import { startTestAppPerSuite, TestApp } from './support/test-app';

/**
 * insertRows stands in for em.insert on the audit rows every transaction appends: the stored
 * rows must read back as em.insert's do (dates, JSON, nulls), on SQLite and on PostgreSQL.
 */
describe('insertRows: rows written as em.insert writes them', () => {
  let t: TestApp;
  startTestAppPerSuite((app) => {
    t = app;
  });

  const row = (aggregateId: string, reason: string | null): Partial<AuditEventEntity> => ({
    at: new Date('2026-12-02T07:00:00.123Z'),
    actor: 'system:test',
    type: 'test.row',
    aggregate: 'test',
    aggregateId,
    before: null,
    after: { caps: { board: 'rpi4' }, n: 3 },
    reason,
  });

  async function readBack(ids: string[]): Promise<Array<Partial<AuditEventEntity>>> {
    const found = await t.app.get(DataSource).manager.find(AuditEventEntity, {
      where: { aggregateId: In(ids) },
      order: { aggregateId: 'ASC' },
    });
    return found.map(({ id: _id, origin: _origin, payload: _payload, ...rest }) => rest);
  }

  it('stores several rows in one statement, reading back as rows em.insert stored', async () => {
    const em = t.app.get(DataSource).manager;
    await insertRows(em, AuditEventEntity, [row('fast-1', 'why'), row('fast-2', null)]);
    await em.insert(AuditEventEntity, [row('orm-1', 'why'), row('orm-2', null)] as Array<
      QueryDeepPartialEntity<AuditEventEntity>
    >);
    const fast = await readBack(['fast-1', 'fast-2']);
    const orm = await readBack(['orm-1', 'orm-2']);
    expect(fast).toHaveLength(2);
    expect(fast.map(({ aggregateId: _a, ...rest }) => rest)).toEqual(
      orm.map(({ aggregateId: _a, ...rest }) => rest),
    );
    expect(fast[0].at).toEqual(new Date('2026-12-02T07:00:00.123Z'));
    expect(fast[0].after).toEqual({ caps: { board: 'rpi4' }, n: 3 });
    expect(fast[1].reason).toBeNull();
  });

  it('writes a column that only a later row sets, and leaves one no row sets to its default', async () => {
    const em = t.app.get(DataSource).manager;
    const { reason: _reason, ...unset } = row('later-1', null);
    await insertRows(em, AuditEventEntity, [
      { ...unset, reason: undefined },
      row('later-2', 'set in the second row'),
    ]);
    await insertRows(em, AuditEventEntity, [{ ...unset, aggregateId: 'later-3' }]);
    const stored = await readBack(['later-1', 'later-2', 'later-3']);
    expect(stored.map((r) => r.reason)).toEqual([null, 'set in the second row', null]);
  });

  it('writes nothing for no rows, and refuses a property that is not a column', async () => {
    const em = t.app.get(DataSource).manager;
    await expect(insertRows(em, AuditEventEntity, [])).resolves.toBeUndefined();
    await expect(
      insertRows(em, AuditEventEntity, [{ nope: 1 } as unknown as Partial<AuditEventEntity>]),
    ).rejects.toThrow('AuditEventEntity has no column nope');
  });

  it('insertRowReturningId answers the generated id, as em.insert does, and leaves undefined columns to their defaults', async () => {
    const em = t.app.get(DataSource).manager;
    const request = (seq: number): Partial<RequestEntity> => ({
      priority: 5,
      queueSeq: seq,
      state: RequestState.Waiting,
      stateVersion: 0,
      owner: 'insert-rows',
      ownerGroups: [],
      anyGroup: false,
      caps: { board: 'insert-rows' },
      validAfter: new Date('2026-12-02T07:00:00Z'),
      deadline: new Date('2026-12-03T07:00:00Z'),
      createdAt: new Date('2026-12-02T07:00:00Z'),
      updatedAt: new Date('2026-12-02T07:00:00Z'),
      publicKey: undefined,
    });
    const first = await insertRowReturningId(em, RequestEntity, request(1));
    const orm = Number(
      (await em.insert(RequestEntity, request(2) as QueryDeepPartialEntity<RequestEntity>))
        .identifiers[0].id,
    );
    const second = await insertRowReturningId(em, RequestEntity, request(3));
    expect(typeof first).toBe('number');
    expect([orm, second]).toEqual([first + 1, first + 2]);
    const stored = await em.findOneByOrFail(RequestEntity, { id: second });
    expect(stored.publicKey).toBeNull();
    expect(stored.caps).toEqual({ board: 'insert-rows' });
    expect(stored.queueSeq).toBe(3);
    await expect(insertRowReturningId(em, JobEntity, { requestId: second })).rejects.toThrow(
      'JobEntity has no single generated primary key',
    );
  });
});
