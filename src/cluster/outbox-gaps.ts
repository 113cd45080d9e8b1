/** How long a missing id may hold up the ids after it before it is taken as never coming. */
export const GAP_TIMEOUT_MS = 5_000;

export interface OutboxId {
  id: number;
}

/** A missing id that holds up delivery: until every transaction that may own it has ended. */
export interface PendingGap {
  /** The highest id seen when the gap was found: every missing id up to it is covered. */
  upTo: number;
  /** pg_snapshot_xmax taken when found: once the oldest running xid is past it, it is over. */
  horizon: bigint;
  foundAt: number;
}

/**
 * Which of `rows` (ids above `lastId`, ascending) may be delivered now, in id order.
 *
 * Audit ids come from a sequence: a transaction can take id 10 and commit after the one that
 * took 11, or take an id and roll back. A reader that delivered 11 and moved on would never
 * deliver 10. So delivery stops at the first missing id until it appears, or until it is proven
 * never to come: every transaction that was running when the gap was seen has ended (each
 * writing transaction has its xid before it takes an audit id, as its audit rows follow its
 * other writes), or GAP_TIMEOUT_MS passed. `settled` says whether that holds for `gap`.
 * Returns the rows to deliver and whether delivery is held up at a gap.
 */
export function deliverable<R extends OutboxId>(
  rows: readonly R[],
  lastId: number,
  gap: PendingGap | null,
  settled: boolean,
): { deliver: R[]; blocked: boolean } {
  const deliver: R[] = [];
  let expected = lastId + 1;
  for (const row of rows) {
    const skipAllowed = gap !== null && settled && row.id <= gap.upTo + 1;
    if (row.id !== expected && !skipAllowed) return { deliver, blocked: true };
    deliver.push(row);
    expected = row.id + 1;
  }
  return { deliver, blocked: false };
}
