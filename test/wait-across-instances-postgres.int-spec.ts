import { instancesOnPostgres } from './support/instances-on-postgres';
import { RequestWaiter } from '../src/requests/request-waiter';
import { requestInput } from './factories/request.factory';
import { TESTER } from './support/actors';
import type { TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

/**
 * waitFor across instances on PostgreSQL: a wait held by one instance is woken by a change
 * another instance committed (its event reaches this instance's bus through the event relay).
 */
describe('waitFor across instances on PostgreSQL', () => {
  let a: TestApp;
  let b: TestApp;
  instancesOnPostgres(2, {}, ({ apps }) => ([a, b] = apps));

  it('a close on instance B ends a wait on instance A at once', async () => {
    const request = await a.requests.create(requestInput({ caps: { board: 'far' } }), TESTER);
    const waiter = a.app.get(RequestWaiter);
    const waiting = waiter.waitFor(request.id, ['CANCELLED'], 60_000, TESTER);
    await waitFor(async () => waiter.size > 0, 'the wait to start');
    const began = Date.now();
    await b.requests.close(request.id, TESTER);
    const { result, details } = await waiting;
    expect(result).toBe('reached');
    expect(details.request).toMatchObject({ state: 'CANCELLED', endedHow: 'closed-by-owner' });
    // Woken by the relayed event, not by the 60 s timeout.
    expect(Date.now() - began).toBeLessThan(30_000);
    expect(waiter.size).toBe(0);
  });
});
