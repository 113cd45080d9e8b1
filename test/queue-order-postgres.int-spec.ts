import { instancesOnPostgres } from './support/instances-on-postgres';
import { FakeClock } from './fakes/fake-clock';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import type { TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';
import { TESTER, ADMIN } from './support/actors';

/** FIFO within a priority holds across instances, also when their clocks disagree. */
describe('queue order across instances on PostgreSQL', () => {
  let a: TestApp;
  let b: TestApp;
  // B's clock is an hour behind A's.
  const clocks = ['2030-01-01T12:00:00Z', '2030-01-01T11:00:00Z'];
  instancesOnPostgres(
    2,
    { each: (i) => ({ clock: new FakeClock(clocks[i]) }) },
    ({ apps }) => ([a, b] = apps),
  );

  it('the request created first is served first, whichever instance took it', async () => {
    const first = await a.requests.create(requestInput({ caps: { board: 'fifo' } }), TESTER);
    const second = await b.requests.create(requestInput({ caps: { board: 'fifo' } }), TESTER);
    const third = await a.requests.create(requestInput({ caps: { board: 'fifo' } }), TESTER);
    expect(first.queueSeq).toBeLessThan(second.queueSeq);
    expect(second.queueSeq).toBeLessThan(third.queueSeq);

    await idleWorker(a, { board: 'fifo' });
    await waitFor(
      async () => (await a.requests.get(first.id, ADMIN)).request.state === 'IN PROGRESS',
      `request ${first.id} (the first) to run`,
    );
    expect((await a.requests.get(second.id, ADMIN)).request.state).toBe('WAITING');
  });
});
