import { EntityManager } from 'typeorm';

/**
 * PostgreSQL advisory locks Leshy takes, as (space, key) pairs of int4: the space is Leshy's own,
 * so other applications sharing the server do not collide with it.
 */
export const LOCK_SPACE = 0x4c736879; // "Lshy"
export const LOCKS = {
  /** Held by the scheduling instance on a dedicated connection (src/cluster/scheduler-election). */
  scheduler: 1,
} as const;

/** The channel NOTIFY wakes event readers on; the payload is the writing instance's id. */
export const OUTBOX_CHANNEL = 'leshy_events';

/** Wakes every instance's event reader once this transaction commits (NOTIFY is transactional). */
export async function wakeEventReaders(em: EntityManager, origin: string): Promise<void> {
  await em.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, origin]);
}
