import type { Caps } from 'dryad-agent/protocol';

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
} as const;

export function requestBoardClass(caps: Caps, key: string): string {
  return caps[key] ?? BoardClass.Any;
}

/** A worker's class: its value of the key, or `(none)`. */
export function workerBoardClass(caps: Caps, key: string): string {
  return caps[key] ?? BoardClass.None;
}
