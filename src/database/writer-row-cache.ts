import type { DataSource, EntityManager, ObjectLiteral, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import { namesTable, type RowKey } from './entity-statements';

/** Rows kept per table; beyond this the least recently used is forgotten. */
export const MAX_CACHED_ROWS = 4096;

/** A row as SQLite gives it back: column name → stored value. */
export type StoredRow = Record<string, unknown>;

const WRITE_STATEMENT = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

let verifying = false;

/**
 * Tests: every row the cache answers is also read from the database, and a difference throws
 * (RowCacheDisagrees). Off in the server, where it would give back the statements saved.
 */
export function verifyRowCache(on: boolean): void {
  verifying = on;
}

export function rowCacheVerifying(): boolean {
  return verifying;
}

/** The cache answered a row the database holds otherwise: a write it did not follow. */
export class RowCacheDisagrees extends Error {
  constructor(table: string, cached: StoredRow, stored: StoredRow | undefined) {
    super(
      `row cache of ${table} disagrees with the database: ${JSON.stringify(cached)} against ${JSON.stringify(stored ?? null)}`,
    );
  }
}

/** The SQL texts whose changes the cache applies itself (insertRows and updateRows build them). */
const maintained = new Set<string>();

/** Says that `sql` (an INSERT or UPDATE built by insertRows or updateRows) keeps the cache true. */
export function maintainsRowCache(sql: string): void {
  maintained.add(sql);
}

interface TableRows {
  names: RegExp;
  rows: Map<string, StoredRow>;
}

/**
 * The rows that the SQLite writer read by primary key or wrote lately, as SQLite stores them,
 * so a write transaction reads them again without a statement: each statement is a trip to
 * node-sqlite3's thread pool, and every other write of a group commit waits for it. A close
 * read the request, its job and the worker, and a worker coming back from its prepare read
 * the worker again, though the writer itself had written every one of those rows a moment
 * before.
 *
 * It is true because every write to the database goes through this one connection (SQLite has
 * one writer, SqliteSerialExecutor) and through the query runner it watches:
 * - insertRows and updateRows report what they wrote, as the values bound (which is what a
 *   SELECT reads back: text in text columns, numbers in integer ones);
 * - any other statement that writes to a table (TypeORM's own update, a raw UPDATE, a DELETE)
 *   makes the cache forget that whole table;
 * - a ROLLBACK (of a transaction or to a savepoint) makes it forget everything.
 * Only the writer's own query runner has one: reads on the read-only connection, and every
 * transaction on PostgreSQL (several connections, several server instances), read the database.
 */
export class WriterRowCache {
  private readonly tables = new Map<EntityMetadata, TableRows>();

  /** The stored row of `key`, if `key` names the primary key (and maybe more) and it is known. */
  lookup<T>(metadata: EntityMetadata, key: RowKey<T>): StoredRow | undefined {
    const id = primaryKeyOf(metadata, key as ObjectLiteral);
    if (id === null) return undefined;
    const table = this.tables.get(metadata);
    const row = table?.rows.get(id);
    if (!row || !table) return undefined;
    table.rows.delete(id);
    table.rows.set(id, row);
    return row;
  }

  /** Whether the stored `row` meets the rest of `key` (IS NULL, or equal as written). */
  meets<T>(em: EntityManager, metadata: EntityMetadata, row: StoredRow, key: RowKey<T>): boolean {
    return Object.entries(key as ObjectLiteral).every(([name, value]) => {
      const column = metadata.findColumnWithPropertyName(name)!;
      const stored = row[column.databaseName];
      if (value == null) return stored === null;
      return stored === em.connection.driver.preparePersistentValue(value, column);
    });
  }

  /** A whole row read or inserted. */
  remember(metadata: EntityMetadata, row: StoredRow): void {
    const id = storedKeyOf(metadata, row);
    if (id === null || !wholeRow(metadata, row)) return;
    const table = this.tableOf(metadata);
    table.rows.delete(id);
    table.rows.set(id, row);
    if (table.rows.size > MAX_CACHED_ROWS) table.rows.delete(table.rows.keys().next().value!);
  }

  /** updateRows changed `changed` (stored values by column) in the row of `key`: `affected` rows. */
  updated<T>(
    metadata: EntityMetadata,
    key: RowKey<T>,
    changed: Array<[ColumnMetadata, unknown]>,
    affected: number,
  ): void {
    const table = this.tables.get(metadata);
    if (!table) return;
    const id = primaryKeyOf(metadata, key as ObjectLiteral);
    if (id === null) {
      // Not by primary key: any row may have changed.
      if (affected > 0) table.rows.clear();
      return;
    }
    const row = table.rows.get(id);
    if (!row) return;
    if (affected !== 1 || !changed.every(([column, value]) => storable(column, value))) {
      table.rows.delete(id);
      return;
    }
    for (const [column, value] of changed) row[column.databaseName] = value;
  }

  /** Before each statement of the writer: forgets what a write it cannot follow may change. */
  see(sql: string): void {
    if (/^\s*ROLLBACK\b/i.test(sql)) return this.clear();
    if (!WRITE_STATEMENT.test(sql) || maintained.has(sql)) return;
    for (const table of this.tables.values()) if (table.names.test(sql)) table.rows.clear();
  }

  /** Forgets every row: a transaction that failed may have been rolled back by SQLite itself. */
  clear(): void {
    this.tables.forEach((table) => table.rows.clear());
  }

  private tableOf(metadata: EntityMetadata): TableRows {
    let table = this.tables.get(metadata);
    if (!table) {
      table = { names: namesTable(metadata.tableName), rows: new Map() };
      this.tables.set(metadata, table);
    }
    return table;
  }
}

/** The primary key of `key` (entity properties) as one string; null if `key` lacks a part. */
function primaryKeyOf(metadata: EntityMetadata, key: ObjectLiteral): string | null {
  return keyString(metadata, (column) => key[column.propertyName]);
}

/** The same for a stored row (column names). */
function storedKeyOf(metadata: EntityMetadata, row: StoredRow): string | null {
  return keyString(metadata, (column) => row[column.databaseName]);
}

function keyString(metadata: EntityMetadata, part: (column: ColumnMetadata) => unknown) {
  const parts = metadata.primaryColumns.map(part);
  return parts.some((value) => value == null) ? null : JSON.stringify(parts);
}

const NUMERIC = /int|bool|real|float|double|numeric|decimal/i;

/**
 * Whether SQLite gives `value` back as it was bound in `column`: strings in text columns,
 * numbers in numeric ones, null. Anything else (a number in a text column comes back as text)
 * is not kept.
 */
function storable(column: ColumnMetadata, value: unknown): boolean {
  if (value === null) return true;
  const numeric = NUMERIC.test(String(column.type));
  return numeric ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string';
}

function wholeRow(metadata: EntityMetadata, row: StoredRow): boolean {
  return metadata.columns.every(
    (c) => c.isVirtual || (c.databaseName in row && storable(c, row[c.databaseName])),
  );
}

const byDataSource = new WeakMap<DataSource, WriterRowCache>();
const watched = new WeakSet<QueryRunner>();

/**
 * Gives the query runner of the SQLite writer its row cache, which sees every statement the
 * runner sends. TypeORM's SQLite driver has one query runner per DataSource, which also runs
 * what the DataSource's own manager sends outside a transaction: the cache belongs to the
 * DataSource, and the runner is wrapped once. Attach it after the deferred inserts, so it also
 * sees the INSERTs they send.
 */
export function attachRowCache(runner: QueryRunner): WriterRowCache {
  const existing = byDataSource.get(runner.connection);
  if (existing && watched.has(runner)) return existing;
  // A runner it has not watched (the first, or one after the DataSource was opened again):
  // nothing known from before it counts.
  const cache = new WriterRowCache();
  watched.add(runner);
  const query = runner.query.bind(runner) as (sql: string, ...rest: unknown[]) => Promise<unknown>;
  runner.query = ((sql: string, ...rest: unknown[]) => {
    cache.see(sql);
    return query(sql, ...rest);
  }) as QueryRunner['query'];
  byDataSource.set(runner.connection, cache);
  return cache;
}

/** The row cache of `em`'s connection: the SQLite writer's, or null (reads, PostgreSQL). */
export function rowCacheOf(em: EntityManager): WriterRowCache | null {
  return byDataSource.get(em.connection) ?? null;
}
