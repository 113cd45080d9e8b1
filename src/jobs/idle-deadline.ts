/**
 * A job's idle deadline (LESHY_IDLE_JOB_TIMEOUT): `idleMs` after the last tester activity, never
 * after the job timeout (only prolong moves that); null when the inactivity timeout is off.
 */
export function idleDeadline(now: Date, idleMs: number, timeoutAt: Date): Date | null {
  if (idleMs <= 0) return null;
  return new Date(Math.min(now.getTime() + idleMs, timeoutAt.getTime()));
}

/** What the request of a job that ended for inactivity says (its `reason`). */
export const IDLE_REASON = 'idle';
