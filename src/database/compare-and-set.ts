import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ConcurrentModificationError } from '../common/domain-error';

/**
 * An UPDATE that applies only if the row still holds what the transaction read (`where`, over
 * columns), and reports the loss of a race instead of writing nothing silently: on PostgreSQL a
 * concurrent transaction (of this or another instance) may have changed the row between this
 * one's read and its write. Transactions.run retries the whole unit of work on the error, so
 * the caller's checks run again on fresh data.
 */
export async function updateIfUnchanged<E extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<E>,
  what: string,
  where: string,
  params: Record<string, unknown>,
  changes: QueryDeepPartialEntity<E>,
): Promise<void> {
  const result = await em
    .createQueryBuilder()
    .update(entity)
    .set(changes)
    .where(where, params)
    .execute();
  if (result.affected !== 1) throw new ConcurrentModificationError(what);
}

/** `column = :name`, or `column IS NULL` when the value read was null. */
export function equalsOrNull(column: string, name: string, value: unknown): string {
  return value === null || value === undefined ? `${column} IS NULL` : `${column} = :${name}`;
}

/** A unique index refused an insert: someone else inserted the same key first. */
export function isUniqueViolation(error: unknown): boolean {
  const { code, driverError } = error as { code?: string; driverError?: { code?: string } };
  const codes = [code, driverError?.code];
  // PostgreSQL: 23505 unique_violation; SQLite: SQLITE_CONSTRAINT (UNIQUE / PRIMARY KEY).
  return codes.includes('23505') || codes.includes('SQLITE_CONSTRAINT');
}
