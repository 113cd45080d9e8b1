import { ADMIN, TESTER, testerNamed } from './support/actors';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { startTestAppPerSuite, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

describe('queue order: priority first, then first come first served', () => {
  let t: TestApp;
  startTestAppPerSuite((app) => (t = app));

  /** Brings up one worker at a time and returns the request ids in the order they were served. */
  async function serveOneByOne(board: string, ids: number[]): Promise<number[]> {
    const served: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      await idleWorker(t, { board });
      const id = await waitFor(async () => {
        for (const candidate of ids) {
          if (
            !served.includes(candidate) &&
            (await t.requests.get(candidate, ADMIN)).request.state === 'IN PROGRESS'
          ) {
            return candidate;
          }
        }
        return 0;
      }, 'a request to start');
      served.push(id);
    }
    return served;
  }

  it('serves higher priority first and FIFO within a priority', async () => {
    const caps = { board: 'order-a' };
    const low = await t.requests.create(requestInput({ caps, priority: 9 }), TESTER);
    const highFirst = await t.requests.create(requestInput({ caps, priority: 2 }), TESTER);
    const highSecond = await t.requests.create(requestInput({ caps, priority: 2 }), TESTER);
    const mid = await t.requests.create(requestInput({ caps, priority: 5 }), TESTER);
    expect(await serveOneByOne('order-a', [low.id, highFirst.id, highSecond.id, mid.id])).toEqual([
      highFirst.id,
      highSecond.id,
      mid.id,
      low.id,
    ]);
  });

  it('a changed priority puts the request at the tail of its new priority', async () => {
    const caps = { board: 'order-b' };
    const a = await t.requests.create(requestInput({ caps, priority: 4 }), TESTER);
    const b = await t.requests.create(requestInput({ caps, priority: 4 }), TESTER);
    const c = await t.requests.create(requestInput({ caps, priority: 6 }), TESTER);
    await t.requests.update(c.id, { priority: 4 }, TESTER); // joins priority 4 behind a and b
    await t.requests.update(a.id, { priority: 3 }, TESTER); // moves ahead of everyone
    await t.requests.update(b.id, { priority: 4 }, TESTER); // unchanged priority: keeps its place
    expect(await serveOneByOne('order-b', [a.id, b.id, c.id])).toEqual([a.id, b.id, c.id]);
  });

  it('takes the least capable worker that fits, then the one idle longest', async () => {
    const rich = await idleWorker(t, { board: 'pick', arch: 'arm64', hdmi: 'yes' });
    const olderPlain = await idleWorker(t, { board: 'pick' });
    t.clock.advance(1000);
    const newerPlain = await idleWorker(t, { board: 'pick' });
    const first = await t.requests.create(requestInput({ caps: { board: 'pick' } }), TESTER);
    await t.settle();
    expect((await t.requests.get(first.id, ADMIN)).job?.workerUuid).toBe(olderPlain.uuid);
    const second = await t.requests.create(requestInput({ caps: { board: 'pick' } }), TESTER);
    await t.settle();
    expect((await t.requests.get(second.id, ADMIN)).job?.workerUuid).toBe(newerPlain.uuid);
    const third = await t.requests.create(requestInput({ caps: { board: 'pick' } }), TESTER);
    await t.settle();
    expect((await t.requests.get(third.id, ADMIN)).job?.workerUuid).toBe(rich.uuid);
  });

  it('matches grouped workers only with requesters in one of their groups', async () => {
    const labA = await idleWorker(t, { board: 'grouped' }, ['lab-a']);
    const forB = await t.requests.create(
      requestInput({ caps: { board: 'grouped' } }),
      testerNamed('in-lab-b', ['lab-b']),
    );
    await t.settle();
    expect((await t.requests.get(forB.id, ADMIN)).request.state).toBe('WAITING');
    const forA = await t.requests.create(
      requestInput({ caps: { board: 'grouped' } }),
      testerNamed('in-lab-a-and-c', ['lab-a', 'lab-c']),
    );
    await t.settle();
    expect((await t.requests.get(forA.id, ADMIN)).job?.workerUuid).toBe(labA.uuid);
    // Putting a free worker into lab-b lets the waiting request run.
    const spare = await idleWorker(t, { board: 'grouped' }, ['lab-x']);
    await t.workers.setGroups(spare.uuid, ['lab-b'], ADMIN);
    await waitFor(
      async () => (await t.requests.get(forB.id, ADMIN)).request.state === 'IN PROGRESS',
      'lab-b request to run',
    );
  });
});
