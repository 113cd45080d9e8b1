import { TransitionTable } from '../common/state-machine';

/** Request states. The strings are part of API v1 (upstream Boruta's names). */
export const RequestState = {
  Waiting: 'WAITING',
  InProgress: 'IN PROGRESS',
  Cancelled: 'CANCELLED',
  Timeout: 'TIMEOUT',
  Invalid: 'INVALID',
  Done: 'DONE',
  Failed: 'FAILED',
} as const;
export type RequestState = (typeof RequestState)[keyof typeof RequestState];
export const REQUEST_STATES: readonly RequestState[] = Object.values(RequestState);

/** DESIGN.md "State machines", requests. The only source of allowed request transitions. */
export const REQUEST_TRANSITIONS: TransitionTable<RequestState> = {
  [RequestState.Waiting]: [
    RequestState.InProgress, // matched with an idle worker; a job is created
    RequestState.Cancelled, // requester closes it
    RequestState.Timeout, // deadline passes while waiting
    RequestState.Invalid, // no registered worker can satisfy it any more
  ],
  [RequestState.InProgress]: [
    RequestState.Done, // requester closes it, or the job timeout passes without prolong
    RequestState.Failed, // its worker fails or an admin takes the worker to maintenance
  ],
  [RequestState.Cancelled]: [],
  [RequestState.Timeout]: [],
  [RequestState.Invalid]: [],
  [RequestState.Done]: [],
  [RequestState.Failed]: [],
};

export function isRequestState(value: string): value is RequestState {
  return (REQUEST_STATES as readonly string[]).includes(value);
}

/** Every state `from` may still reach, itself included (the transition table's closure). */
export function reachableFrom(from: RequestState): Set<RequestState> {
  const seen = new Set<RequestState>([from]);
  const queue = [from];
  while (queue.length) {
    for (const next of REQUEST_TRANSITIONS[queue.shift()!]) {
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return seen;
}
