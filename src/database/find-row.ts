import { EntityManager, EntityNotFoundError, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import {
  columnNamed,
  EntityStatements,
  keyConditions,
  keyShape,
  persistentValues,
  placeholders,
  quoted,
  RowKey,
} from './entity-statements';
import { RowCacheDisagrees, rowCacheOf, rowCacheVerifying } from './writer-row-cache';

/** One statement for one entity, key shape and column list, prepared once per DataSource. */
interface Plan {
  sql: string;
  /** The key's columns bound as parameters, in order (the IS NULL ones bind nothing). */
  bound: ColumnMetadata[];
  selected: ColumnMetadata[];
}

const statements = new EntityStatements<Plan>();

/**
 * `em.findOne(Entity, { where: key, select })` for the lookups every call makes (a request by
 * id, a worker by uuid, a request's job): the same row, hydrated the same way (the driver's
 * own conversions and the columns' transformers), without building a query through TypeORM's
 * query builder each time, which cost more than the statement itself (about 1 ms of CPU for
 * one findOne on the 2-core VM; docs/performance.md). Plain columns only: our entities have
 * no relations or embedded columns. The SQL text is the same each time, so the SQLite
 * connection reuses its prepared statement.
 */
export async function findRow<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  key: RowKey<T>,
  select?: Array<keyof T & string>,
): Promise<T | null> {
  const metadata = em.connection.getMetadata(target);
  const plan = planOf(em, metadata, key, select);
  // The SQLite writer knows the rows it read or wrote by primary key lately: no statement.
  const cache = rowCacheOf(em);
  const known = cache?.lookup(metadata, key);
  if (known && !rowCacheVerifying())
    return cache!.meets(em, metadata, known, key) ? hydrated<T>(em, metadata, plan, known) : null;
  const rows = (await em.query(plan.sql, persistentValues(em, key, plan.bound))) as Array<
    Record<string, unknown>
  >;
  if (known) await verifyKnown(em, metadata, known, key, rows);
  if (rows.length === 0) return null;
  if (!select) cache?.remember(metadata, rows[0]);
  return hydrated<T>(em, metadata, plan, rows[0]);
}

/** Tests: the cached row of `key` against the database's, column by column. */
async function verifyKnown<T>(
  em: EntityManager,
  metadata: EntityMetadata,
  known: Record<string, unknown>,
  key: RowKey<T>,
  rows: Array<Record<string, unknown>>,
): Promise<void> {
  const [stored] = (await em.query(
    `SELECT * FROM ${quoted(em, metadata.tableName)} WHERE ${metadata.primaryColumns
      .map((c) => `${quoted(em, c.databaseName)} = ?`)
      .join(' AND ')}`,
    metadata.primaryColumns.map((c) =>
      em.connection.driver.preparePersistentValue(key[c.propertyName as keyof T], c),
    ),
  )) as Array<Record<string, unknown>>;
  const differs = metadata.columns.some(
    (c) => !c.isVirtual && stored?.[c.databaseName] !== known[c.databaseName],
  );
  if (differs || rows.length !== (rowCacheOf(em)!.meets(em, metadata, known, key) ? 1 : 0))
    throw new RowCacheDisagrees(metadata.tableName, known, stored);
}

function hydrated<T extends ObjectLiteral>(
  em: EntityManager,
  metadata: EntityMetadata,
  plan: Plan,
  row: Record<string, unknown>,
): T {
  const entity = metadata.create() as T;
  for (const column of plan.selected) {
    const value = row[column.databaseName];
    column.setEntityValue(entity, em.connection.driver.prepareHydratedValue(value, column));
  }
  return entity;
}

/** As findRow, throwing TypeORM's EntityNotFoundError as findOneOrFail does. */
export async function findRowOrFail<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  key: RowKey<T>,
  select?: Array<keyof T & string>,
): Promise<T> {
  const row = await findRow(em, target, key, select);
  if (row === null) throw new EntityNotFoundError(target, key);
  return row;
}

function planOf<T>(
  em: EntityManager,
  metadata: EntityMetadata,
  key: RowKey<T>,
  select: string[] | undefined,
): Plan {
  return statements.planFor(metadata, `${keyShape(key)}|${select?.join() ?? '*'}`, () => {
    const selected = select
      ? select.map((name) => columnNamed(metadata, name))
      : metadata.columns.filter((c) => !c.isVirtual);
    const where = keyConditions(em, metadata, key, placeholders(em));
    return {
      sql:
        `SELECT ${selected.map((c) => quoted(em, c.databaseName)).join(', ')} ` +
        `FROM ${quoted(em, metadata.tableName)} WHERE ${where.sql} LIMIT 1`,
      bound: where.bound,
      selected,
    };
  });
}
