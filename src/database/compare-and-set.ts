import { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { ConcurrentModificationError } from '../common/domain-error';
import type { RowKey } from './entity-statements';
import { updateRows } from './update-rows';

/**
 * An UPDATE that applies only if the row still holds what the transaction read (`where`: the
 * columns' values as read, null for IS NULL), and reports the loss of a race instead of writing
 * nothing silently: on PostgreSQL a concurrent transaction (of this or another instance) may
 * have changed the row between this one's read and its write. Transactions.run retries the
 * whole unit of work on the error, so the caller's checks run again on fresh data.
 */
export async function updateIfUnchanged<E extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<E>,
  what: string,
  where: RowKey<E>,
  changes: Partial<E>,
): Promise<void> {
  if ((await updateRows(em, entity, where, changes)) !== 1)
    throw new ConcurrentModificationError(what);
}

/** A unique index refused an insert: someone else inserted the same key first. */
export function isUniqueViolation(error: unknown): boolean {
  const { code, driverError } = error as { code?: string; driverError?: { code?: string } };
  const codes = [code, driverError?.code];
  // PostgreSQL: 23505 unique_violation; SQLite: SQLITE_CONSTRAINT (UNIQUE / PRIMARY KEY).
  return codes.includes('23505') || codes.includes('SQLITE_CONSTRAINT');
}
