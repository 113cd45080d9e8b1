import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { QueryResult } from 'typeorm/query-runner/QueryResult';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';

/** Equality on columns by property name; `null` (or undefined) matches IS NULL. */
export type RowKey<T> = { [P in keyof T]?: T[P] | null };

/**
 * What findRow, insertRows and updateRows share: SQL text built once per entity and statement
 * shape and kept with the entity's metadata (one per DataSource, so per driver), quoted and
 * numbered for the DataSource's driver (`?` on SQLite, `$1…` on PostgreSQL).
 */
export class EntityStatements<Plan> {
  private readonly plans = new WeakMap<EntityMetadata, Map<string, Plan>>();

  /** The plan of `shape` for this entity, built by `build` the first time. */
  planFor(metadata: EntityMetadata, shape: string, build: () => Plan): Plan {
    let byShape = this.plans.get(metadata);
    if (!byShape) this.plans.set(metadata, (byShape = new Map()));
    let plan = byShape.get(shape);
    if (!plan) byShape.set(shape, (plan = build()));
    return plan;
  }
}

/** The column of property `name`; a name that is no column is the caller's bug, named. */
export function columnNamed(metadata: EntityMetadata, name: string): ColumnMetadata {
  const column = metadata.findColumnWithPropertyName(name);
  if (!column) throw new Error(`${metadata.name} has no column ${name}`);
  return column;
}

/** The driver's quoting of a table or column name. */
export const quoted = (em: EntityManager, name: string): string =>
  em.connection.driver.escape(name);

/** Numbers bound parameters in the driver's style: call it once per parameter, in order. */
export function placeholders(em: EntityManager): () => string {
  if (em.connection.options.type !== 'postgres') return () => '?';
  let n = 0;
  return () => `$${++n}`;
}

/** A key's shape for a plan cache: its property names, and which of them are IS NULL. */
export function keyShape<T>(key: RowKey<T>): string {
  return Object.keys(key)
    .map((name) => (isNullIn(key, name) ? `${name}:null` : name))
    .join();
}

const isNullIn = <T>(key: RowKey<T>, name: string) => key[name as keyof T] == null;

/**
 * The WHERE conditions of a key (`"col" = ?`, or `"col" IS NULL` for a null), numbered by
 * `next`, and the columns they bind, in order.
 */
export function keyConditions<T>(
  em: EntityManager,
  metadata: EntityMetadata,
  key: RowKey<T>,
  next: () => string,
): { sql: string; bound: ColumnMetadata[] } {
  const bound: ColumnMetadata[] = [];
  const conditions = Object.keys(key).map((name) => {
    const column = columnNamed(metadata, name);
    if (isNullIn(key, name)) return `${quoted(em, column.databaseName)} IS NULL`;
    bound.push(column);
    return `${quoted(em, column.databaseName)} = ${next()}`;
  });
  return { sql: conditions.join(' AND '), bound };
}

/** The values of `row` for `columns`, converted as TypeORM writes them (transformers, types). */
export function persistentValues<T extends ObjectLiteral>(
  em: EntityManager,
  row: Partial<T> | RowKey<T>,
  columns: ColumnMetadata[],
): unknown[] {
  const driver = em.connection.driver;
  return columns.map((c) => driver.preparePersistentValue(row[c.propertyName as keyof T], c));
}

/**
 * Runs a statement for its QueryResult (rows changed, too), which em.query does not give: on the
 * unit of work's own query runner, or a runner of the pool's for the one statement.
 */
export async function queryForResult(
  em: EntityManager,
  sql: string,
  parameters: unknown[],
): Promise<QueryResult> {
  const runner = em.queryRunner ?? em.connection.createQueryRunner();
  try {
    return (await runner.query(sql, parameters, true)) as QueryResult;
  } finally {
    if (runner !== em.queryRunner) await runner.release();
  }
}

/**
 * Whether a statement's text names the table, quoted or not (`"jobs"`, `jobs`), as a word: what
 * the SQLite writer's deferred inserts and row cache go by to tell which statements may see or
 * change a table's rows (the schema has no foreign keys and no triggers).
 */
export function namesTable(tableName: string): RegExp {
  return new RegExp(`\\b${tableName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i');
}
