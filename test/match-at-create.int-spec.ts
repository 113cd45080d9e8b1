import { DataSource } from 'typeorm';
import { RequestView } from '../src/events/domain-event';
import { AuditEventEntity } from '../src/events/audit-event.entity';
import { DomainEventBus } from '../src/events/domain-event-bus';
import { WorkerEntity } from '../src/workers/worker.entity';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { v1Json } from './support/http-client';
import { startTestAppPerSuite, TestApp } from './support/test-app';
import { TESTER, ADMIN } from './support/actors';

/** Every timer function stays real but setImmediate (which the matcher schedules passes with). */
const REAL_EXCEPT_IMMEDIATE: FakeTimersConfig['doNotFake'] = [
  'Date',
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
];

/**
 * A request that an idle worker can serve at once gets its job in its own create transaction,
 * so the create's answer is already the truth: a tester's first poll sees IN PROGRESS.
 */
describe('matching in the create transaction', () => {
  let t: TestApp;
  let baseUrl: string;
  startTestAppPerSuite(
    (app) => {
      t = app;
    },
    { http: true },
  );
  beforeAll(async () => {
    baseUrl = await t.app.getUrl();
  });

  it('a request created while a matching worker is idle is IN PROGRESS when the create answers', async () => {
    const worker = await idleWorker(t, { board: 'at-once' });
    await t.settle();
    const created = await v1Json(baseUrl, 'POST', '/api/v1/reqs/', {
      Priority: 8,
      Caps: { board: 'at-once' },
    });
    expect(created.status).toBe(201);
    const id = JSON.parse(created.body).ReqID as number;
    // Read right after the answer, before any later matching pass could have run.
    const head = await v1Json(baseUrl, 'HEAD', `/api/v1/reqs/${id}`);
    expect(head.header('Boruta-Request-State')).toBe('IN PROGRESS');
    expect((await t.requests.get(id, ADMIN)).job?.workerUuid).toBe(worker.uuid);
    expect(t.matcher.stats().matchesAtCreate).toBeGreaterThan(0);
  });

  it('the create itself returns the started request, its audit saying the matcher started it', async () => {
    await idleWorker(t, { board: 'at-once-2' });
    await t.settle();
    const created = await t.requests.create(requestInput({ caps: { board: 'at-once-2' } }), TESTER);
    expect(created.state).toBe('IN PROGRESS');
    const events = await t.app
      .get(DataSource)
      .getRepository(AuditEventEntity)
      .find({
        select: { type: true, actor: true },
        where: { aggregate: 'request', aggregateId: String(created.id) },
        order: { id: 'ASC' },
      });
    expect(events).toEqual([
      { type: 'request.created', actor: TESTER.label },
      { type: 'request.state-changed', actor: 'system:matcher' },
    ]);
  });

  it('matches at create amid a stream of other creates', async () => {
    for (let i = 0; i < 3; i++) await idleWorker(t, { board: 'amid' });
    await t.settle();
    for (let round = 0; round < 3; round++) {
      const others = Array.from({ length: 20 }, () =>
        t.requests.create(requestInput({ caps: { board: 'nowhere-amid' } }), TESTER),
      );
      const created = await t.requests.create(requestInput({ caps: { board: 'amid' } }), TESTER);
      await Promise.all(others);
      expect(created.state).toBe('IN PROGRESS');
    }
  });

  it('runs a pass that earlier events are due first, inside the create, then matches the new request', async () => {
    await idleWorker(t, { board: 'due-first' });
    await t.settle();
    // A request no worker can serve, ready in a second: its becoming ready makes a pass due.
    const unservable = await t.requests.create(
      requestInput({
        caps: { board: 'no-such' },
        validAfter: new Date(t.clock.now().getTime() + 1000),
      }),
      TESTER,
    );
    // Hold the pass's setImmediate, so it is still due when the next create asks for a worker.
    jest.useFakeTimers({ doNotFake: REAL_EXCEPT_IMMEDIATE });
    try {
      t.clock.advance(1000);
      t.matcher.requestBecameReady(unservable.id);
      const created = await t.requests.create(
        requestInput({ caps: { board: 'due-first' } }),
        TESTER,
      );
      expect(created.state).toBe('IN PROGRESS');
    } finally {
      jest.runOnlyPendingTimers();
      jest.useRealTimers();
    }
  });

  it('does not jump the queue: a worker that a request ahead is due to get goes to that request', async () => {
    const worker = await idleWorker(t, { board: 'ahead', arch: 'arm64' });
    await t.settle();
    const earlier = await t.requests.create(
      requestInput({
        caps: { board: 'ahead' },
        validAfter: new Date(t.clock.now().getTime() + 1000),
      }),
      TESTER,
    );
    jest.useFakeTimers({ doNotFake: REAL_EXCEPT_IMMEDIATE });
    let later;
    try {
      // The earlier request becomes ready: its pass is due (held) when a later one of the same
      // priority, which the same worker could serve, is created.
      t.clock.advance(1000);
      t.matcher.requestBecameReady(earlier.id);
      later = await t.requests.create(
        requestInput({ caps: { board: 'ahead', arch: 'arm64' } }),
        TESTER,
      );
    } finally {
      jest.runOnlyPendingTimers();
      jest.useRealTimers();
    }
    expect(later.state).toBe('WAITING');
    await t.settle();
    expect((await t.requests.get(earlier.id, ADMIN)).job?.workerUuid).toBe(worker.uuid);
    expect((await t.requests.get(later.id, ADMIN)).request.state).toBe('WAITING');
  });

  it('does not jump the queue: a worker that becomes idle goes to the request ahead', async () => {
    const caps = { board: 'in-line' };
    const earlier = await t.requests.create(requestInput({ caps, priority: 8 }), TESTER);
    expect(earlier.state).toBe('WAITING');
    // A later request of the same priority arrives the moment the worker becomes IDLE, while
    // the pass that worker triggered for the earlier request is still due.
    let later: Promise<RequestView> | undefined;
    const off = t.app.get(DomainEventBus).on('worker.state-changed', (event) => {
      if (event.to === 'IDLE' && event.worker.caps.board === 'in-line')
        later ??= t.requests.create(requestInput({ caps, priority: 8 }), TESTER);
    });
    try {
      await idleWorker(t, caps);
      await t.settle();
    } finally {
      off();
    }
    expect(later).toBeDefined();
    expect((await t.requests.get(earlier.id, ADMIN)).request.state).toBe('IN PROGRESS');
    expect((await t.requests.get((await later!).id, ADMIN)).request.state).toBe('WAITING');
  });

  it('a claimed worker that cannot take the job leaves the create WAITING and goes back', async () => {
    const caps = { board: 'changed-behind' };
    const worker = await idleWorker(t, caps);
    await t.settle();
    // The matcher's memory says IDLE, but the stored worker has no prepared key for a job.
    await t.app
      .get(DataSource)
      .getRepository(WorkerEntity)
      .update({ uuid: worker.uuid }, { preparedKey: null });
    const idleBefore = t.matcher.stats().idleWorkers;
    const created = await t.requests.create(requestInput({ caps }), TESTER);
    expect(created.state).toBe('WAITING');
    await t.settle();
    // Re-read and back in the matcher's memory (as a refused match would be), not lost.
    expect(t.matcher.stats().idleWorkers).toBe(idleBefore);
    expect((await t.requests.get(created.id, ADMIN)).request.state).toBe('WAITING');
  });
});
