import type { EntityManager } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';

/**
 * What findRow and insertRows share: SQL text built once per entity and statement shape and
 * kept with the entity's metadata (one per DataSource, so per driver), quoted and numbered for
 * the DataSource's driver (`?` on SQLite, `$1…` on PostgreSQL).
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
