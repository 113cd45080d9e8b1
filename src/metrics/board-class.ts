import type { CapsQuery } from '../common/caps-query';

/**
 * A board class is the value of one configured cap key (LESHY_BOARD_CLASS_CAP, `board` by
 * default): `board=rpi4` → class `rpi4`. Requests and workers that lack the key get a
 * placeholder in parentheses, which no real cap value is mistaken for in a dashboard.
 */
export const BoardClass = {
  /** A request that does not ask for the key: any board will do. */
  Any: '(any)',
  /** A worker that does not have the key. */
  None: '(none)',
  /** A waiting request that asks for a class no registered worker has (keeps labels bounded). */
  Other: '(other)',
  /** A request asking for the key with a rule (any of, a range, a negation: API v2). */
  Rich: '(rich)',
} as const;

export function requestBoardClass(caps: CapsQuery, key: string): string {
  const want = caps[key];
  if (want === undefined) return BoardClass.Any;
  // One label for every rule, not one per rule: testers write rules freely.
  return typeof want === 'string' ? want : BoardClass.Rich;
}
