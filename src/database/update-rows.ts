import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import {
  columnNamed,
  EntityStatements,
  keyConditions,
  keyShape,
  persistentValues,
  placeholders,
  queryForResult,
  quoted,
  RowKey,
} from './entity-statements';
import { updateWaitingRow } from './deferred-inserts';
import { maintainsRowCache, rowCacheOf } from './writer-row-cache';

/** One UPDATE text for one entity, changed columns and key shape, built once per DataSource. */
interface Plan {
  sql: string;
  changed: ColumnMetadata[];
  bound: ColumnMetadata[];
}

const statements = new EntityStatements<Plan>();

/**
 * `em.update(Entity, key, changes)` for the writes of every state change (the compare-and-set
 * on a state version): the same values through the driver's conversions and the columns'
 * transformers, but the statement built once per shape instead of by TypeORM's update query
 * builder each time, which cost more CPU than running it. Resolves to the number of rows
 * changed. Properties set to undefined are left alone, as em.update leaves them. A row that
 * still waits to be inserted (deferInsert) is changed where it waits.
 */
export async function updateRows<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  key: RowKey<T>,
  changes: Partial<T>,
): Promise<number> {
  const metadata = em.connection.getMetadata(target);
  const names = Object.keys(changes).filter((name) => changes[name] !== undefined);
  if (names.length === 0) throw new Error(`${metadata.name}: an update needs a column to change`);
  // A row inserted earlier in this SQLite group commit may not be written yet: changed there.
  if (updateWaitingRow(em, target, key, changes)) return 1;
  const plan = planOf(em, metadata, key, names);
  const written = persistentValues(em, changes, plan.changed);
  const parameters = [...written, ...persistentValues(em, key, plan.bound)];
  const affected = (await queryForResult(em, plan.sql, parameters)).affected ?? 0;
  rowCacheOf(em)?.updated(
    metadata,
    key,
    plan.changed.map((column, i) => [column, written[i]]),
    affected,
  );
  return affected;
}

function planOf<T>(
  em: EntityManager,
  metadata: EntityMetadata,
  key: RowKey<T>,
  names: string[],
): Plan {
  return statements.planFor(metadata, `${names.join()}|${keyShape(key)}`, () => {
    const changed = names.map((name) => columnNamed(metadata, name));
    const next = placeholders(em);
    const set = changed.map((c) => `${quoted(em, c.databaseName)} = ${next()}`).join(', ');
    const where = keyConditions(em, metadata, key, next);
    const sql = `UPDATE ${quoted(em, metadata.tableName)} SET ${set} WHERE ${where.sql}`;
    maintainsRowCache(sql);
    return { sql, changed, bound: where.bound };
  });
}
