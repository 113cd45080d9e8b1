import { verdictOf } from './request-waiter';
import { RequestState } from './request-state';

describe('verdictOf: whether a wait for some states is over', () => {
  const { Waiting, InProgress, Cancelled, Done, Failed, Timeout } = RequestState;

  it.each([
    [Waiting, [InProgress], null],
    [InProgress, [InProgress], 'reached'],
    [InProgress, [Done, Failed], null],
    [Waiting, [Done], null],
    [Cancelled, [InProgress], 'unreachable'],
    [Done, [InProgress], 'unreachable'],
    [InProgress, [Waiting], 'unreachable'],
    [Timeout, [Done, Timeout], 'reached'],
  ] as const)('%s waiting for %j: %s', (state, wanted, verdict) => {
    expect(verdictOf(state, wanted)).toBe(verdict);
  });
});
