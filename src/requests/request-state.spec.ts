import { canTransition } from '../common/state-machine';
import { REQUEST_STATES, REQUEST_TRANSITIONS, RequestState } from './request-state';

/** DESIGN.md's request table, written out independently of the implementation. */
const ALLOWED = new Set([
  'WAITING→IN PROGRESS',
  'WAITING→CANCELLED',
  'WAITING→TIMEOUT',
  'WAITING→INVALID',
  'IN PROGRESS→DONE',
  'IN PROGRESS→FAILED',
]);

describe('request state machine table', () => {
  it('has exactly the states of upstream Boruta', () => {
    expect([...REQUEST_STATES].sort()).toEqual(
      ['CANCELLED', 'DONE', 'FAILED', 'IN PROGRESS', 'INVALID', 'TIMEOUT', 'WAITING'].sort(),
    );
  });

  const pairs = REQUEST_STATES.flatMap((from) =>
    REQUEST_STATES.map((to) => [from, to] as [RequestState, RequestState]),
  );
  it.each(pairs)('%s → %s is allowed only if DESIGN.md says so', (from, to) => {
    expect(canTransition(REQUEST_TRANSITIONS, from, to)).toBe(ALLOWED.has(`${from}→${to}`));
  });
});
