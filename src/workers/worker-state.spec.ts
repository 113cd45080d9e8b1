import { canTransition } from '../common/state-machine';
import { WORKER_STATES, WORKER_TRANSITIONS, WorkerState } from './worker-state';

/**
 * DESIGN.md's worker table, written out independently of the implementation:
 * MAINTENANCE→PREPARE (admin sets IDLE), PREPARE→IDLE/FAILED, IDLE→RUNNING, RUNNING→PREPARE
 * (job ended), RUNNING→IDLE (match undone), any but MAINTENANCE→BUSY (admin maintenance),
 * BUSY→MAINTENANCE, IDLE/RUNNING/PREPARE→FAILED, FAILED→PREPARE (registers again),
 * any→BUSY (registers again with changes).
 */
const ALLOWED = new Set([
  'MAINTENANCE→PREPARE',
  'PREPARE→IDLE',
  'PREPARE→FAILED',
  'IDLE→RUNNING',
  'RUNNING→PREPARE',
  'RUNNING→IDLE',
  'IDLE→BUSY',
  'RUNNING→BUSY',
  'FAILED→BUSY',
  'PREPARE→BUSY',
  'BUSY→BUSY',
  'MAINTENANCE→BUSY',
  'BUSY→MAINTENANCE',
  'IDLE→FAILED',
  'RUNNING→FAILED',
  'FAILED→PREPARE',
]);

describe('worker state machine table', () => {
  it('has exactly the states of upstream Boruta', () => {
    expect([...WORKER_STATES].sort()).toEqual([
      'BUSY',
      'FAILED',
      'IDLE',
      'MAINTENANCE',
      'PREPARE',
      'RUNNING',
    ]);
  });

  const pairs = WORKER_STATES.flatMap((from) =>
    WORKER_STATES.map((to) => [from, to] as [WorkerState, WorkerState]),
  );
  it.each(pairs)('%s → %s is allowed only if DESIGN.md says so', (from, to) => {
    expect(canTransition(WORKER_TRANSITIONS, from, to)).toBe(ALLOWED.has(`${from}→${to}`));
  });
});
