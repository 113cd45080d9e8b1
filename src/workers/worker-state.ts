import { TransitionTable } from '../common/state-machine';

/** Worker states. The strings are part of API v1 (upstream Boruta's names). */
export const WorkerState = {
  Maintenance: 'MAINTENANCE',
  Idle: 'IDLE',
  Running: 'RUNNING',
  Failed: 'FAILED',
  Prepare: 'PREPARE',
  Busy: 'BUSY',
} as const;
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState];
export const WORKER_STATES: readonly WorkerState[] = Object.values(WorkerState);

const { Maintenance, Idle, Running, Failed, Prepare, Busy } = WorkerState;

/**
 * DESIGN.md "State machines", workers. The only source of allowed worker transitions.
 * A new worker is created directly in MAINTENANCE (first registration), which is not a
 * transition of an existing aggregate.
 */
export const WORKER_TRANSITIONS: TransitionTable<WorkerState> = {
  // admin sets IDLE → prepare; re-registration with changed caps or addresses → BUSY
  [Maintenance]: [Prepare, Busy],
  // prepare succeeded / failed or timed out; admin sets MAINTENANCE; agent failure
  [Prepare]: [Idle, Failed, Busy],
  // matched; admin sets MAINTENANCE; agent reports failure, health check fails, SSH unreachable
  [Idle]: [Running, Busy, Failed],
  // job ended (DONE) → clean the board; match undone before the job started; maintenance; failure
  [Running]: [Prepare, Idle, Busy, Failed],
  // agent registers again with unchanged config → prepare; admin sets MAINTENANCE or changed config
  [Failed]: [Prepare, Busy],
  // agent confirmed maintenance; admin sets MAINTENANCE again (the agent is told once more)
  [Busy]: [Maintenance, Busy],
};

export function isWorkerState(value: string): value is WorkerState {
  return (WORKER_STATES as readonly string[]).includes(value);
}
