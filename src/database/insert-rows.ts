import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import { columnNamed, EntityStatements, placeholders, quoted } from './entity-statements';

/** One INSERT text for one entity, column list and row count, built once per DataSource. */
interface Plan {
  sql: string;
  columns: ColumnMetadata[];
}

const statements = new EntityStatements<Plan>();

/**
 * `em.insert(Entity, rows)` for rows that need nothing back (no generated id, no defaults read
 * again): the audit rows every write transaction appends. The values go through the driver's
 * own conversions and the columns' transformers as with em.insert, but the statement is built
 * once per column list and row count instead of by TypeORM's insert query builder each time
 * (which cost more than the statement). Every row must have the same properties, those of
 * the first; the columns left out get their database defaults.
 */
export async function insertRows<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  rows: ReadonlyArray<Partial<T>>,
): Promise<void> {
  if (rows.length === 0) return;
  const metadata = em.connection.getMetadata(target);
  const plan = planOf(em, metadata, Object.keys(rows[0]), rows.length);
  const driver = em.connection.driver;
  const parameters: unknown[] = [];
  for (const row of rows) {
    for (const column of plan.columns)
      parameters.push(driver.preparePersistentValue(row[column.propertyName as keyof T], column));
  }
  await em.query(plan.sql, parameters);
}

function planOf(em: EntityManager, metadata: EntityMetadata, names: string[], count: number): Plan {
  return statements.planFor(metadata, `${names.join()}|${count}`, () => {
    const columns = names.map((name) => columnNamed(metadata, name));
    const next = placeholders(em);
    const values = Array.from({ length: count }, () => `(${columns.map(next).join(', ')})`);
    const list = columns.map((c) => quoted(em, c.databaseName)).join(', ');
    return {
      sql: `INSERT INTO ${quoted(em, metadata.tableName)} (${list}) VALUES ${values.join(', ')}`,
      columns,
    };
  });
}
