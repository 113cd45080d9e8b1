import { randomUUID } from 'node:crypto';
import { AGENT_API_PREFIX } from 'dryad-agent/protocol';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import { Client } from 'pg';
import { DomainEvent } from '../src/events/domain-event';
import { DomainEventBus } from '../src/events/domain-event-bus';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { v1Json } from './support/http-client';
import { scratchPostgres } from './support/scratch-postgres';
import { tempDir } from './support/temp-dir';
import { startTestApp, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';
import { TESTER, ADMIN } from './support/actors';

const TOKEN = 'races-agent-token';

/**
 * Writes that lose a race on PostgreSQL. The races are made deterministic: a second connection
 * locks the table (plain reads still pass), so the server's transaction reads, then waits at
 * its write; meanwhile the second connection changes the row or inserts, and commits.
 */
describe('races on PostgreSQL', () => {
  const dir = tempDir();
  let t: TestApp;
  let baseUrl: string;
  let database: Awaited<ReturnType<typeof scratchPostgres>>;
  let other: Client;
  /** Watches pg_stat_activity (which a connection inside a transaction sees frozen). */
  let watcher: Client;

  beforeAll(async () => {
    database = await scratchPostgres();
    t = await startTestApp({
      dataDir: dir.path,
      http: true,
      env: {
        LESHY_DATABASE_URL: database.url,
        LESHY_AGENT_TOKEN: TOKEN,
        LESHY_V1_ANONYMOUS_ROLE: 'admin',
      },
    });
    baseUrl = await t.app.getUrl();
    other = new Client({ connectionString: database.url });
    await other.connect();
    watcher = new Client({ connectionString: database.url });
    await watcher.connect();
  });
  afterAll(async () => {
    await other?.end();
    await watcher?.end();
    await t?.close();
    await database?.drop();
    dir.remove();
  });

  /** Resolves once `count` of the server's statements wait for a lock, `statement`-like. */
  async function waitersAt(statement: string, count: number): Promise<void> {
    await waitFor(async () => {
      const { rows } = await watcher.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE wait_event_type = 'Lock' AND query ILIKE $1 AND pid <> $2`,
        [`${statement}%`, (other as unknown as { processID: number }).processID],
      );
      return rows[0].n >= count;
    }, `${count} statement(s) "${statement}" waiting for a lock`);
  }

  function eventsOf(type: DomainEvent['type']): { seen: DomainEvent[]; off: () => void } {
    const seen: DomainEvent[] = [];
    const off = t.app.get(DomainEventBus).on(type, (event) => {
      seen.push(event);
    });
    return { seen, off };
  }

  it('an update that loses to a concurrent close is refused, with no stale event', async () => {
    const { id } = await t.requests.create(requestInput({ caps: { board: 'none' } }), TESTER);
    const updated = eventsOf('request.updated');
    await other.query('BEGIN');
    await other.query('LOCK TABLE requests IN EXCLUSIVE MODE');
    const answer = v1Json(baseUrl, 'POST', `/api/v1/reqs/${id}`, { Priority: 3 });
    await waitersAt('UPDATE "requests"', 1);
    // Another instance cancels it and commits while the update waits at its write.
    await other.query(
      `UPDATE requests SET state = 'CANCELLED', state_version = state_version + 1 WHERE id = $1`,
      [id],
    );
    await other.query('COMMIT');

    const reply = await answer;
    updated.off();
    expect(reply.status).toBe(400);
    expect(reply.body).toContain('action cannot be executed in current state');
    expect(updated.seen).toEqual([]);
    expect((await t.requests.get(id, ADMIN)).request.priority).toBe(8);
  });

  it('an update that loses to another update is applied after it (retried on fresh data)', async () => {
    const { id } = await t.requests.create(requestInput({ caps: { board: 'none' } }), TESTER);
    const updated = eventsOf('request.updated');
    await other.query('BEGIN');
    await other.query('LOCK TABLE requests IN EXCLUSIVE MODE');
    const answer = v1Json(baseUrl, 'POST', `/api/v1/reqs/${id}`, { Priority: 3 });
    await waitersAt('UPDATE "requests"', 1);
    await other.query(`UPDATE requests SET priority = 5, queue_seq = queue_seq + 1 WHERE id = $1`, [
      id,
    ]);
    await other.query('COMMIT');

    expect((await answer).status).toBe(204);
    updated.off();
    expect((await t.requests.get(id, ADMIN)).request.priority).toBe(3);
    // What it changed is what the other had written, not what it first read.
    expect(updated.seen.map((e) => e.before)).toEqual([expect.objectContaining({ priority: 5 })]);
  });

  it('setgroups racing a state change publishes the worker as it is, not as it was', async () => {
    const { uuid } = await idleWorker(t, { board: 'grouped' });
    const updated = eventsOf('worker.updated');
    await other.query('BEGIN');
    await other.query('LOCK TABLE workers IN EXCLUSIVE MODE');
    const answer = v1Json(baseUrl, 'POST', `/api/v1/workers/${uuid}/setgroups`, ['lab-a']);
    await waitersAt('UPDATE "workers"', 1);
    // Another instance fails the worker meanwhile.
    await other.query(
      `UPDATE workers SET state = 'FAILED', state_version = state_version + 1 WHERE uuid = $1`,
      [uuid],
    );
    await other.query('COMMIT');

    expect((await answer).status).toBe(204);
    updated.off();
    const views = updated.seen.map((e) => (e.type === 'worker.updated' ? e.worker : null));
    expect(views.map((w) => [w?.state, w?.groups])).toEqual([['FAILED', ['lab-a']]]);
  });

  it('two first registrations of one UUID at once both succeed, and register it once', async () => {
    const uuid = randomUUID();
    const body = JSON.stringify({
      uuid,
      caps: { board: 'twin' },
      controlAddr: '127.0.0.1:2222',
      sshAddr: '127.0.0.1:2222',
      hostKey: generateEd25519KeyPair().public.trim(),
      accessMode: 'embedded',
      agentVersion: 'test',
    });
    const register = () =>
      fetch(`${baseUrl}${AGENT_API_PREFIX}/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
        body,
      });
    const registered = eventsOf('worker.registered');
    await other.query('BEGIN');
    await other.query('LOCK TABLE workers IN EXCLUSIVE MODE');
    // Both read "no such worker", then wait at their INSERT.
    const answers = Promise.all([register(), register()]);
    await waitersAt('INSERT INTO "workers"', 2);
    await other.query('COMMIT');

    const replies = await answers;
    registered.off();
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    const states = await Promise.all(
      replies.map(async (r) => ((await r.json()) as { state: string }).state),
    );
    expect(states).toEqual(['MAINTENANCE', 'MAINTENANCE']);
    expect(registered.seen).toHaveLength(1);
    const { rows } = await other.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE type = 'worker.registered' AND aggregate_id = $1`,
      [uuid],
    );
    expect(rows[0].n).toBe(1);
  });

  it('a prolong that loses to another prolong counts after it, not over it', async () => {
    await idleWorker(t, { board: 'prolonged' });
    const { id } = await t.requests.create(requestInput({ caps: { board: 'prolonged' } }), TESTER);
    await waitFor(
      async () => (await t.requests.get(id, ADMIN)).request.state === 'IN PROGRESS',
      `request ${id} to run`,
    );
    await other.query('BEGIN');
    await other.query('LOCK TABLE jobs IN EXCLUSIVE MODE');
    const answer = v1Json(baseUrl, 'POST', `/api/v1/reqs/${id}/prolong`);
    await waitersAt('UPDATE "jobs"', 1);
    // Another instance's prolong commits first.
    await other.query('UPDATE jobs SET prolong_count = prolong_count + 1 WHERE request_id = $1', [
      id,
    ]);
    await other.query('COMMIT');

    expect((await answer).status).toBe(204);
    const { rows } = await other.query('SELECT prolong_count FROM jobs WHERE request_id = $1', [
      id,
    ]);
    expect(rows[0].prolong_count).toBe(2);
  });
});
