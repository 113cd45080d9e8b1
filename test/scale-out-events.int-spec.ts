import { Client } from 'pg';
import { DomainEvent } from '../src/events/domain-event';
import { encodeEvent } from '../src/events/event-codec';
import { DomainEventBus } from '../src/events/domain-event-bus';
import { TunnelService } from '../src/jobs/tunnel.service';
import { FakeClock } from './fakes/fake-clock';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { Instances, instancesOnPostgres } from './support/instances-on-postgres';
import { refusesConnections } from './support/tcp-probe';
import type { TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';
import { TESTER, ADMIN } from './support/actors';
import { userActor } from '../src/auth/actor';

/** Admins of their own names: each update's audit row says which one made it. */
const adminNamed = (name: string) =>
  userActor({ id: 900, name, role: 'admin', groups: [], bestPriority: 1 }, null);

/** Events committed by one instance reach the other's event bus (PostgreSQL outbox). */
describe('several instances on one PostgreSQL: events reach every instance', () => {
  let a: TestApp;
  let b: TestApp;
  let database: Instances['database'];
  const clock = new FakeClock();
  instancesOnPostgres(
    2,
    { env: { LESHY_V1_ANONYMOUS_ROLE: 'admin' }, each: () => ({ clock }) },
    (started) => {
      [a, b] = started.apps;
      database = started.database;
    },
  );

  /** Resolves with the next event of `type` that `app`'s bus publishes (within 5 s). */
  function nextEvent(app: TestApp, type: DomainEvent['type']): Promise<DomainEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} event within 5 s`)), 5_000);
      const off = app.app.get(DomainEventBus).on(type, (event) => {
        off();
        clearTimeout(timer);
        resolve(event);
      });
    });
  }

  it('a request created on A is published on B as a remote event, dates and all', async () => {
    const seen = nextEvent(b, 'request.created');
    const started = performance.now();
    const { id } = await a.requests.create(requestInput({ caps: { board: 'nowhere' } }), TESTER);
    const event = await seen;
    const latencyMs = performance.now() - started;

    expect(event.remote).toBe(true);
    if (event.type !== 'request.created') throw new Error(event.type);
    const stored = (await b.requests.get(id, ADMIN)).request;
    expect(event.request.id).toBe(id);
    expect(event.request.deadline).toBeInstanceOf(Date);
    expect(event.request.deadline.getTime()).toBe(stored.deadline.getTime());
    expect(event.request.caps).toEqual({ board: 'nowhere' });
    expect(event.actor).toBe('user:tester');
    // The design's figure is ~100 ms; generous here for a loaded two-core machine.
    expect(latencyMs).toBeLessThan(1_000);
  });

  it("A's own events are not published to A a second time", async () => {
    const created: number[] = [];
    const off = a.app.get(DomainEventBus).on('request.created', (e) => {
      created.push(e.request.id);
    });
    const { id } = await a.requests.create(requestInput({ caps: { board: 'twice' } }), TESTER);
    // B's copy arriving shows the relay has read past the row.
    const onB = nextEvent(b, 'request.updated');
    await a.requests.update(id, { priority: 3 }, TESTER);
    await onB;
    off();
    expect(created).toEqual([id]);
  });

  it('a close on A cuts the tunnel an acquire opened on B', async () => {
    await idleWorker(a, { board: 'tunnelled' });
    const { id } = await a.requests.create(requestInput({ caps: { board: 'tunnelled' } }), TESTER);
    await waitFor(
      async () => (await a.requests.get(id, ADMIN)).request.state === 'IN PROGRESS',
      `request ${id} to run`,
    );
    const access = await b.jobs.acquire(id, TESTER);
    const onB = b.app.get(TunnelService);
    expect(onB.isOpen(id)).toBe(true);
    expect(await refusesConnections(access.tunnel.port)).toBe(false);

    await a.requests.close(id, TESTER);

    await waitFor(() => !onB.isOpen(id), `B's tunnel of request ${id} to close`);
    expect(await refusesConnections(access.tunnel.port)).toBe(true);
  });

  it('an audit id that commits late holds up the ids after it; a rolled-back one does not', async () => {
    const actors: string[] = [];
    const off = b.app.get(DomainEventBus).on('*', (event) => {
      actors.push(event.actor);
    });
    const { id } = await a.requests.create(requestInput({ caps: { board: 'gap' } }), TESTER);
    const view = (await a.requests.get(id, ADMIN)).request;
    // B has the create before the gap is opened: only what follows it is held up.
    await waitFor(() => actors.includes(TESTER.label), 'the create on B');
    actors.length = 0;
    const other = new Client({ connectionString: database.url });
    await other.connect();
    /** An audit row as another instance writes it, in a transaction left open. */
    const openInsert = async (actor: string) => {
      await other.query('BEGIN');
      const event = {
        type: 'request.updated',
        request: view,
        at: new Date(),
        actor,
        reason: null,
        before: null,
        after: null,
      };
      await other.query(
        `INSERT INTO audit_events (at, actor, type, aggregate, aggregate_id, origin, payload)
         VALUES ($1, $2, 'request.updated', 'request', $3, 'another-instance', $4)`,
        [Date.now(), actor, String(id), encodeEvent(event as DomainEvent)],
      );
    };
    try {
      await openInsert('late');
      await a.requests.update(id, { priority: 2 }, adminNamed('after-late'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(actors).toEqual([]);
      await other.query('COMMIT');
      await waitFor(() => actors.includes('user:after-late'), 'the held-up event');
      expect(actors).toEqual(['late', 'user:after-late']);

      await openInsert('rolled-back');
      await other.query('ROLLBACK');
      await a.requests.update(id, { priority: 4 }, adminNamed('after-rollback'));
      await waitFor(() => actors.includes('user:after-rollback'), 'the event after the gap', 3_000);
      expect(actors).toEqual(['late', 'user:after-late', 'user:after-rollback']);
    } finally {
      off();
      await other.end();
    }
  });
});
