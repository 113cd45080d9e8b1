import type { EntityManager, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import { insertRows } from './insert-rows';

/** SQLite's default bound on the parameters of one statement (SQLITE_MAX_VARIABLE_NUMBER). */
const MAX_PARAMETERS = 999;

/**
 * Rows that the writes of one SQLite transaction (a group commit) insert, written together:
 * one INSERT per entity and column list for the whole batch instead of one per row, each of
 * which was a trip to node-sqlite3's thread pool that every other write of the batch waited
 * for. A row waits only until the next statement of its transaction, whatever it is (a read,
 * an update, the audit rows, COMMIT), so every statement still sees every row written before
 * it; a ROLLBACK drops the rows that waited. Only rows whose key the caller chose can wait
 * (nothing is read back from the INSERT). attachDeferredInserts says where they are written.
 */
export class DeferredInserts {
  private readonly waiting = new Map<EntityTarget<ObjectLiteral>, ObjectLiteral[]>();

  add<T extends ObjectLiteral>(target: EntityTarget<T>, row: Partial<T>): void {
    const rows = this.waiting.get(target as EntityTarget<ObjectLiteral>) ?? [];
    rows.push(row);
    this.waiting.set(target as EntityTarget<ObjectLiteral>, rows);
  }

  /** Writes every row that waited, then forgets them. */
  async write(em: EntityManager): Promise<void> {
    const batches = [...this.waiting];
    this.waiting.clear();
    for (const [target, rows] of batches) {
      const perStatement = Math.max(
        1,
        Math.floor(MAX_PARAMETERS / em.connection.getMetadata(target).columns.length),
      );
      for (let i = 0; i < rows.length; i += perStatement) {
        await insertRows(em, target, rows.slice(i, i + perStatement));
      }
    }
  }

  drop(): void {
    this.waiting.clear();
  }

  get empty(): boolean {
    return this.waiting.size === 0;
  }
}

const byRunner = new WeakMap<QueryRunner, DeferredInserts>();
const byManager = new WeakMap<EntityManager, DeferredInserts>();

/**
 * Makes the query runner write the rows that wait in front of its next statement (dropping
 * them in front of a ROLLBACK), and lets deferInsert put rows in the wait for its manager.
 * TypeORM's SQLite driver hands out one query runner with a new manager each time: the runner
 * is wrapped once, each of its managers is known.
 */
export function attachDeferredInserts(runner: QueryRunner): DeferredInserts {
  const existing = byRunner.get(runner);
  if (existing) {
    byManager.set(runner.manager, existing);
    return existing;
  }
  const deferred = new DeferredInserts();
  const query = runner.query.bind(runner) as QueryRunner['query'];
  runner.query = (async (sql: string, ...rest: unknown[]) => {
    if (!deferred.empty) {
      // The transaction's end drops them; anything else, ROLLBACK TO SAVEPOINT included,
      // comes after them, so they are written first.
      if (/^\s*ROLLBACK\s*$/i.test(sql)) deferred.drop();
      else await deferred.write(runner.manager);
    }
    return (query as (sql: string, ...rest: unknown[]) => Promise<unknown>)(sql, ...rest);
  }) as QueryRunner['query'];
  byRunner.set(runner, deferred);
  byManager.set(runner.manager, deferred);
  return deferred;
}

/**
 * Puts `row` in the wait of `em`'s transaction if it has one (a SQLite group commit): true.
 * False elsewhere (PostgreSQL): the caller inserts the row itself.
 */
export function deferInsert<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  row: Partial<T>,
): boolean {
  const deferred = byManager.get(em);
  if (!deferred) return false;
  deferred.add(target, row);
  return true;
}
