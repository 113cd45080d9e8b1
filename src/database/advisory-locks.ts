import { EntityManager } from 'typeorm';

/**
 * PostgreSQL advisory locks Leshy takes, as (space, key) pairs of int4: the space is Leshy's own,
 * so other applications sharing the server do not collide with it.
 */
export const LOCK_SPACE = 0x4c736879; // "Lshy"
export const LOCKS = {
  /** Held by the scheduling instance on a dedicated connection (src/cluster/scheduler-election). */
  scheduler: 1,
  /** Taken by each writing transaction for its last statements (outbox order, below). */
  outbox: 2,
} as const;

/** The channel NOTIFY wakes event readers on; the payload is the writing instance's id. */
export const OUTBOX_CHANNEL = 'leshy_events';

/**
 * Makes audit ids follow commit order on PostgreSQL. Ids come from a sequence, and under
 * concurrency a transaction that took id 10 may commit after one that took 11: a reader that
 * saw 11 and moved on would never see 10. Each writing transaction therefore takes this lock
 * right before inserting its audit rows and keeps it until it has committed (a transaction-level
 * lock is released after the commit is visible). So ids are handed out in commit order, and a
 * reader that sees id N committed has seen every lower id that will ever commit. Nothing is
 * waited for while holding it (the audit insert conflicts with no row), so it cannot deadlock.
 */
export async function enterOutbox(em: EntityManager): Promise<void> {
  await em.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, LOCKS.outbox]);
}

/** Wakes every instance's event reader once this transaction commits (NOTIFY is transactional). */
export async function wakeEventReaders(em: EntityManager, origin: string): Promise<void> {
  await em.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, origin]);
}
