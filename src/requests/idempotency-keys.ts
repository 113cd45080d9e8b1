import { createHash } from 'node:crypto';
import { ConcurrentModificationError, DomainError } from '../common/domain-error';
import { isUniqueViolation } from '../database/compare-and-set';
import { UnitOfWork } from '../database/unit-of-work';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

/** How long a create's Idempotency-Key answers with the request it filed. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'idempotency-key-reused';
  readonly kind = 'conflict';
  constructor(key: string, requestId: number) {
    super(
      `Idempotency-Key ${JSON.stringify(key)} already filed request ${requestId} with a different body: use a new key for a different request`,
    );
  }
}

/** JSON with object keys sorted at every depth: equal inputs give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function fingerprintOf(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

/** The request a live key filed (null: the key is new or expired), inside the create's unit. */
export async function requestOfKey(
  uow: UnitOfWork,
  owner: string,
  key: string,
  fingerprint: string,
): Promise<number | null> {
  const found = await uow.em.findOne(IdempotencyKeyEntity, { where: { owner, key } });
  if (!found) return null;
  if (found.createdAt.getTime() <= uow.now.getTime() - IDEMPOTENCY_KEY_TTL_MS) {
    await uow.em.delete(IdempotencyKeyEntity, { owner, key });
    return null;
  }
  if (found.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(key, found.requestId);
  return found.requestId;
}

/**
 * Records that `key` filed `requestId`, in the create's transaction. A concurrent create that
 * recorded the same key first (PostgreSQL) makes this one run again, and find that one.
 */
export async function recordKey(
  uow: UnitOfWork,
  owner: string,
  key: string,
  fingerprint: string,
  requestId: number,
): Promise<void> {
  // The owner's expired keys go now: the table holds a day of keys, not all history.
  await uow.em
    .createQueryBuilder()
    .delete()
    .from(IdempotencyKeyEntity)
    .where('owner = :owner AND created_at <= :cut', {
      owner,
      cut: uow.now.getTime() - IDEMPOTENCY_KEY_TTL_MS,
    })
    .execute();
  try {
    await uow.em.insert(IdempotencyKeyEntity, {
      owner,
      key,
      fingerprint,
      requestId,
      createdAt: uow.now,
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConcurrentModificationError(`Idempotency-Key ${JSON.stringify(key)}`);
    throw error;
  }
}
