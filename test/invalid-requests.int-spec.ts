import { ADMIN, AGENT, TESTER, testerNamed } from './support/actors';
import { requestInput } from './factories/request.factory';
import { workerRegistration } from './factories/worker.factory';
import { startTestAppPerSuite, TestApp } from './support/test-app';

describe('INVALID: requests no registered worker can satisfy any more', () => {
  let t: TestApp;
  startTestAppPerSuite((app) => (t = app));

  const stateOf = async (id: number) => (await t.requests.get(id, ADMIN)).request.state;

  it('deregistering the only worker that fits invalidates waiting requests for it, and only those', async () => {
    const only = workerRegistration({ caps: { board: 'unique-board' } });
    const other = workerRegistration({ caps: { board: 'common' } });
    await t.workers.register(only, AGENT);
    await t.workers.register(other, AGENT);
    const doomed = await t.requests.create(
      requestInput({
        caps: { board: 'unique-board' },
        validAfter: new Date(t.clock.now().getTime() + 60_000),
      }),
      TESTER,
    );
    const fine = await t.requests.create(requestInput({ caps: { board: 'common' } }), TESTER);
    await t.workers.deregister(only.uuid, ADMIN);
    expect(await stateOf(doomed.id)).toBe('INVALID');
    expect(await stateOf(fine.id)).toBe('WAITING');
  });

  it('a caps change invalidates what the worker could serve before and nobody can serve now', async () => {
    const worker = workerRegistration({ caps: { board: 'shifting' } });
    await t.workers.register(worker, AGENT);
    await t.workers.setGroups(worker.uuid, ['lab-a'], ADMIN);
    const forLabA = await t.requests.create(
      requestInput({ caps: { board: 'shifting' } }),
      testerNamed('in-lab-a', ['lab-a']),
    );
    const forLabB = await t.requests.create(
      requestInput({ caps: { board: 'shifting' } }),
      testerNamed('in-lab-b', ['lab-b']),
    );
    const forOther = await t.requests.create(
      requestInput({ caps: { board: 'never-there' } }),
      TESTER,
    );
    await t.workers.register({ ...worker, caps: { board: 'shifted' } }, AGENT);
    expect(await stateOf(forLabA.id)).toBe('INVALID');
    // Groups are part of the ask: lab-b could never use this worker, so its change says nothing.
    expect(await stateOf(forLabB.id)).toBe('WAITING');
    // A request no worker could ever serve may be waiting for a board yet to come.
    expect(await stateOf(forOther.id)).toBe('WAITING');
  });

  it('a request filed before any fitting worker registered keeps waiting until such an event', async () => {
    const request = await t.requests.create(
      requestInput({ caps: { board: 'future-board' } }),
      TESTER,
    );
    expect(await stateOf(request.id)).toBe('WAITING');
    await t.workers.register(workerRegistration({ caps: { board: 'future-board' } }), AGENT);
    expect(await stateOf(request.id)).toBe('WAITING');
  });
});
