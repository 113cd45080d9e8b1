import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import {
  columnNamed,
  EntityStatements,
  persistentValues,
  placeholders,
  quoted,
} from './entity-statements';
import { maintainsRowCache, rowCacheOf } from './writer-row-cache';

/** One INSERT text for one entity, column list and row count, built once per DataSource. */
interface Plan {
  sql: string;
  columns: ColumnMetadata[];
}

const statements = new EntityStatements<Plan>();

/**
 * `em.insert(Entity, rows)` for rows that need nothing back (no generated id, no defaults read
 * again): the audit rows every write transaction appends, a job. The values go through the
 * driver's own conversions and the columns' transformers as with em.insert, but the statement
 * is built once per column list and row count instead of by TypeORM's insert query builder
 * each time (which cost more than the statement). A column that no row sets (undefined in
 * all of them) is left out, as em.insert leaves it: its database default.
 */
export async function insertRows<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  rows: ReadonlyArray<Partial<T>>,
): Promise<void> {
  if (rows.length === 0) return;
  const metadata = em.connection.getMetadata(target);
  const names = new Set(rows.flatMap(definedNames));
  const plan = planOf(em, metadata, [...names], rows.length, null);
  const values = rows.map((row) => persistentValues(em, row, plan.columns));
  await em.query(plan.sql, values.flat());
  const cache = rowCacheOf(em);
  if (!cache) return;
  // The rows as SQLite now holds them, for the writer's next read of them (WriterRowCache).
  // A column left out holds its default: known only when that is NULL (no default, nullable).
  const left = metadata.columns.filter((c) => !c.isVirtual && !plan.columns.includes(c));
  if (left.some((c) => c.default !== undefined || !c.isNullable)) return;
  rows.forEach((_, i) => {
    const stored: Record<string, unknown> = {};
    // node-sqlite3 binds undefined as NULL.
    plan.columns.forEach((c, j) => (stored[c.databaseName] = values[i][j] ?? null));
    for (const c of left) stored[c.databaseName] = null;
    cache.remember(metadata, stored);
  });
}

/**
 * insertRows for one row whose primary key the database generates (a request's id): resolves
 * to that key, as em.insert's identifiers give it.
 */
export async function insertRowReturningId<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  row: Partial<T>,
): Promise<number> {
  const metadata = em.connection.getMetadata(target);
  const [generated] = metadata.primaryColumns;
  if (metadata.primaryColumns.length !== 1 || !generated.isGenerated)
    throw new Error(`${metadata.name} has no single generated primary key`);
  const plan = planOf(em, metadata, definedNames(row), 1, generated);
  const result: unknown = await em.query(plan.sql, persistentValues(em, row, plan.columns));
  // PostgreSQL answers the RETURNING rows; SQLite the statement's last inserted row id.
  return Number(
    Array.isArray(result) ? (result[0] as ObjectLiteral)[generated.databaseName] : result,
  );
}

const definedNames = (row: ObjectLiteral) =>
  Object.keys(row).filter((name) => row[name] !== undefined);

function planOf(
  em: EntityManager,
  metadata: EntityMetadata,
  names: string[],
  count: number,
  returning: ColumnMetadata | null,
): Plan {
  const shape = `${names.join()}|${count}|${returning?.propertyName ?? ''}`;
  return statements.planFor(metadata, shape, () => {
    const columns = names.map((name) => columnNamed(metadata, name));
    const next = placeholders(em);
    const values = Array.from({ length: count }, () => `(${columns.map(next).join(', ')})`);
    const list = columns.map((c) => quoted(em, c.databaseName)).join(', ');
    // SQLite reports the row id without being asked (and older versions know no RETURNING).
    const tail =
      returning && em.connection.options.type === 'postgres'
        ? ` RETURNING ${quoted(em, returning.databaseName)}`
        : '';
    const sql = `INSERT INTO ${quoted(em, metadata.tableName)} (${list}) VALUES ${values.join(', ')}${tail}`;
    maintainsRowCache(sql);
    return { sql, columns };
  });
}
