import type { EntityManager, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import { namesTable, type RowKey } from './entity-statements';
import { insertRows } from './insert-rows';

/** SQLite's default bound on the parameters of one statement (SQLITE_MAX_VARIABLE_NUMBER). */
const MAX_PARAMETERS = 999;

/** Statements that name the tables they touch: only those tables' waiting rows go first. */
const ROW_STATEMENT = /^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|WITH)\b/i;

/** The rows of one entity that wait, and how a statement's text names its table. */
interface Waiting {
  metadata: EntityMetadata;
  names: RegExp;
  rows: ObjectLiteral[];
}

/**
 * Rows that the writes of one SQLite transaction (a group commit) insert, written together:
 * one INSERT per entity and column list for the whole batch instead of one per row, each of
 * which was a trip to node-sqlite3's thread pool that every other write of the batch waited
 * for. Only rows whose key the caller chose can wait (nothing is read back from the INSERT).
 *
 * A row waits until a statement of its transaction names its table (a read, an update, an
 * insert) or until one that is not about rows (COMMIT, SAVEPOINT…), so every statement that
 * could see the row still sees it. Statements about other tables run while it waits: the schema
 * has no foreign keys and no triggers, so they cannot tell. An update of a waiting row by its
 * primary key changes the waiting row instead of sending an UPDATE. A ROLLBACK drops the rows
 * that waited. attachDeferredInserts says where they are written.
 */
export class DeferredInserts {
  private readonly waiting = new Map<EntityTarget<ObjectLiteral>, Waiting>();

  add<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, row: Partial<T>): void {
    const key = target as EntityTarget<ObjectLiteral>;
    let entry = this.waiting.get(key);
    if (!entry) {
      const metadata = em.connection.getMetadata(target);
      entry = { metadata, names: namesTable(metadata.tableName), rows: [] };
      this.waiting.set(key, entry);
    }
    entry.rows.push(row);
  }

  /** Writes, in front of `sql`, the rows it could see; all of them for a statement not on rows. */
  async writeBefore(em: EntityManager, sql: string): Promise<void> {
    const onRows = ROW_STATEMENT.test(sql);
    for (const [target, entry] of [...this.waiting]) {
      if (onRows && !entry.names.test(sql)) continue;
      // Forgotten before they are written: the INSERT itself passes through here again.
      this.waiting.delete(target);
      await writeRows(em, entry);
    }
  }

  /**
   * Applies `changes` to the waiting row that `key` names by its whole primary key and whose
   * other key columns match (a compare-and-set on a row of this transaction): true. False when
   * no waiting row is named so: the caller's UPDATE runs, after the rows of its table.
   */
  update<T extends ObjectLiteral>(
    em: EntityManager,
    target: EntityTarget<T>,
    key: RowKey<T>,
    changes: Partial<T>,
  ): boolean {
    const entry = this.waiting.get(target as EntityTarget<ObjectLiteral>);
    if (!entry) return false;
    const { metadata } = entry;
    if (!metadata.primaryColumns.every((c) => key[c.propertyName as keyof T] != null)) return false;
    const driver = em.connection.driver;
    const columns = Object.keys(key).map((name) => metadata.findColumnWithPropertyName(name));
    if (columns.some((c) => c === undefined)) return false;
    // Compared as they would be written, so dates and transformed columns compare as SQLite would.
    const stored = (value: unknown, i: number) =>
      value == null ? null : driver.preparePersistentValue(value, columns[i]!);
    const wanted = columns.map((c, i) => stored(key[c!.propertyName as keyof T], i));
    const row = entry.rows.find((candidate) =>
      columns.every((c, i) => stored(candidate[c!.propertyName], i) === wanted[i]),
    );
    if (!row) return false;
    for (const [name, value] of Object.entries(changes)) if (value !== undefined) row[name] = value;
    return true;
  }

  drop(): void {
    this.waiting.clear();
  }

  get empty(): boolean {
    return this.waiting.size === 0;
  }
}

async function writeRows(em: EntityManager, { metadata, rows }: Waiting): Promise<void> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / metadata.columns.length));
  for (let i = 0; i < rows.length; i += perStatement) {
    await insertRows(em, metadata.target, rows.slice(i, i + perStatement));
  }
}

const byRunner = new WeakMap<QueryRunner, DeferredInserts>();
const byManager = new WeakMap<EntityManager, DeferredInserts>();

/**
 * Makes the query runner write the rows that wait in front of the statements that could see
 * them (dropping them in front of a ROLLBACK), and lets deferInsert put rows in the wait for its
 * manager. TypeORM's SQLite driver hands out one query runner with a new manager each time: the
 * runner is wrapped once, each of its managers is known.
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
      else await deferred.writeBefore(runner.manager, sql);
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
  deferred.add(em, target, row);
  return true;
}

/**
 * An update by primary key of a row still waiting in `em`'s transaction, applied to that row:
 * true, one changed row and no statement. False otherwise (the caller sends the UPDATE).
 */
export function updateWaitingRow<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  key: RowKey<T>,
  changes: Partial<T>,
): boolean {
  return byManager.get(em)?.update(em, target, key, changes) ?? false;
}
