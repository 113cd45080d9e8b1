import { RequestState } from './request-state';

/** How a finished request ended: what DONE or FAILED alone does not tell a tester. */
export const ENDED_HOWS = [
  'closed-by-owner',
  'closed-by-admin',
  'job-timeout',
  'idle',
  'worker-failed',
  'deadline',
  'invalidated',
] as const;
export type EndedHow = (typeof ENDED_HOWS)[number];

/**
 * The how of each terminal state when its caller does not name one: those states are reached
 * one way only. DONE (closed or timed out or idle) and CANCELLED (by the owner or an admin) have
 * several ways, so their callers always say which (RequestsService.close, JobSaga.endJob).
 */
export const DEFAULT_HOW: Partial<Record<RequestState, EndedHow>> = {
  [RequestState.Timeout]: 'deadline',
  [RequestState.Invalid]: 'invalidated',
  [RequestState.Failed]: 'worker-failed',
};

export const TERMINAL_STATES: readonly RequestState[] = [
  RequestState.Cancelled,
  RequestState.Timeout,
  RequestState.Invalid,
  RequestState.Done,
  RequestState.Failed,
];
