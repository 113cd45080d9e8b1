import { createHook } from 'node:async_hooks';
import type { Database } from 'sqlite3';
import { DataSource } from 'typeorm';
import { requestInput } from './factories/request.factory';
import { idleWorker, workerRegistration } from './factories/worker.factory';
import { startTestAppPerSuite, TestApp } from './support/test-app';
import { AGENT, TESTER, ADMIN } from './support/actors';
import { v2Caller } from './support/api-v2-client';
import { ReadConnection } from '../src/database/read-connection';
import { UnservableNotes } from '../src/matcher/unservable-notes.service';
import { verifyRowCache } from '../src/database/writer-row-cache';

/**
 * SQLite statements on the writer connection per create and per match: each one is a round
 * trip to the thread pool, so their number bounds how fast a create is answered.
 */
describe('statements per create and per match (SQLite)', () => {
  let t: TestApp;
  let statements: string[] = [];
  let reads: string[] = [];
  startTestAppPerSuite(
    (app) => {
      t = app;
      // Counted as the server sends them: without the test apps' check of each cached row.
      verifyRowCache(false);
      const driver = t.app.get(DataSource).driver as unknown as { databaseConnection: Database };
      driver.databaseConnection.on('trace', (sql) => statements.push(sql));
      const reader = t.app.get(ReadConnection).manager.connection.driver as unknown as {
        databaseConnection: Database;
      };
      reader.databaseConnection.on('trace', (sql) => reads.push(sql));
    },
    { sqliteOnly: true, http: true },
  );

  /** The transactions written while `work` ran (and its events settled), as statement lists. */
  async function transactionsOf(work: () => Promise<unknown>): Promise<string[][]> {
    await t.settle();
    statements = [];
    await work();
    await t.settle();
    const transactions: string[][] = [];
    for (const sql of statements) {
      if (sql.startsWith('BEGIN')) transactions.push([]);
      transactions[transactions.length - 1]?.push(sql.split(' ').slice(0, 3).join(' '));
    }
    return transactions;
  }

  /** node-sqlite3's trips to its thread pool while `work` runs, by kind (Prepare, Run, All…). */
  async function tripsOf(work: () => Promise<unknown>): Promise<Record<string, number>> {
    await t.settle();
    const trips: Record<string, number> = {};
    const hook = createHook({
      init(_id, type) {
        if (type.startsWith('sqlite3.Statement.')) {
          const kind = type.slice('sqlite3.Statement.'.length);
          trips[kind] = (trips[kind] ?? 0) + 1;
        }
      },
    }).enable();
    try {
      await work();
      await t.settle();
    } finally {
      hook.disable();
    }
    return trips;
  }

  it('a create that no idle worker serves is one transaction of 4 statements', async () => {
    // A registered worker (in MAINTENANCE) could serve it: without one the request also gets an
    // unservable note, written in a transaction of its own after the create answered.
    await t.workers.register(workerRegistration({ caps: { board: 'not-idle' } }), AGENT);
    const written = await transactionsOf(() =>
      t.requests.create(requestInput({ caps: { board: 'not-idle' } }), TESTER),
    );
    expect(written).toEqual([
      // The request's row waits for the statement before COMMIT: no statement of its own names
      // its table (src/database/deferred-inserts.ts).
      ['BEGIN TRANSACTION', 'INSERT INTO "audit_events"', 'INSERT INTO "requests"', 'COMMIT'],
    ]);
  });

  it('an unservable create writes its note in its own INSERT once the registered workers are known: 4 statements', async () => {
    const ask = requestInput({ caps: { board: 'nobody-has-it' } });
    // Unless the registered workers are at hand already (read for an earlier create less than
    // 5 s ago), the first create reads them after it committed, then writes its note.
    await t.requests.create(ask, TESTER);
    let second = 0;
    const written = await transactionsOf(async () => {
      second = (await t.requests.create(ask, TESTER)).id;
    });
    expect(written).toEqual([
      // The request's row waits for the statement before COMMIT: no statement of its own names
      // its table (src/database/deferred-inserts.ts).
      ['BEGIN TRANSACTION', 'INSERT INTO "audit_events"', 'INSERT INTO "requests"', 'COMMIT'],
    ]);
    expect(await t.app.get(UnservableNotes).noteOf(second)).toBe(
      'no registered worker has the caps {"board":"nobody-has-it"}: it waits until one registers or its deadline passes',
    );
  });

  it("a match made by a pass is one transaction of 7 statements: the worker is known from the writer's last write of it", async () => {
    const waiting = await t.requests.create(requestInput({ caps: { board: 'later' } }), TESTER);
    const written = await transactionsOf(() => idleWorker(t, { board: 'later' }));
    expect((await t.requests.get(waiting.id, ADMIN)).request.state).toBe('IN PROGRESS');
    // The request is read (its unservable note was written by an UPDATE the row cache does not
    // follow); the worker's row is known from the writer's own last write of it
    // (src/database/writer-row-cache.ts).
    expect(written.find((tx) => tx.includes('INSERT INTO "jobs"'))).toEqual([
      'BEGIN TRANSACTION',
      'SELECT "id", "priority",',
      'UPDATE "workers" SET',
      'UPDATE "requests" SET',
      'INSERT INTO "audit_events"',
      'INSERT INTO "jobs"',
      'COMMIT',
    ]);
  });

  it('a create that an idle worker serves at once starts its job in the same transaction: 6 statements', async () => {
    await idleWorker(t, { board: 'counted' });
    const written = await transactionsOf(() =>
      t.requests.create(requestInput({ caps: { board: 'counted' } }), TESTER),
    );
    // Before matching at create: 4 for the create, then 8 in a second transaction for the match.
    // The request's row waits while the worker is read and taken; its change to IN PROGRESS is
    // made to the waiting row, and it is written with the job's at the end. The idle worker's
    // row is known from the writer's own write of it.
    expect(written[0]).toEqual([
      'BEGIN TRANSACTION',
      'UPDATE "workers" SET',
      'INSERT INTO "audit_events"',
      'INSERT INTO "requests"',
      'INSERT INTO "jobs"',
      'COMMIT',
    ]);
    // And nothing after it: the tunnel's port was reserved before and went into the job's row.
    expect(written.slice(1)).toEqual([]);
  });

  it('a close is one transaction of 6 statements: the request, its job and the worker are known from their last writes', async () => {
    await idleWorker(t, { board: 'closed' });
    const running = await t.requests.create(requestInput({ caps: { board: 'closed' } }), TESTER);
    expect(running.state).toBe('IN PROGRESS');
    const written = await transactionsOf(() => t.requests.close(running.id, TESTER));
    // Then the worker's prepare (over SSH, faked here) and its return to IDLE.
    // Whether the job's key was handed out is known from the job row too (keyNeverRevealed).
    expect(written[0]).toEqual([
      'BEGIN TRANSACTION',
      'UPDATE "requests" SET',
      'UPDATE "jobs" SET',
      'UPDATE "workers" SET',
      'INSERT INTO "audit_events"',
      'COMMIT',
    ]);
  });

  it('a statement seen before is not prepared again: one thread-pool trip per statement', async () => {
    await t.workers.register(workerRegistration({ caps: { board: 'tripped' } }), AGENT);
    const create = () => t.requests.create(requestInput({ caps: { board: 'tripped' } }), TESTER);
    await create();
    // The writer's 4 statements (BEGIN, 2 INSERTs, COMMIT) and nothing prepared; before the
    // statement cache each of them was 2 trips, a Prepare and a Run/All.
    expect(await tripsOf(create)).toEqual({ Run: 2, All: 2 });
    // A status read as API v1 makes it (no user names): the request and its job, on the
    // read-only connection.
    const { id } = await create();
    await t.requests.get(id, TESTER, { ownerName: false });
    expect(await tripsOf(() => t.requests.get(id, TESTER, { ownerName: false }))).toEqual({
      All: 2,
    });
  });

  it("a tester's token and name cost nothing on a second call: reading their own request over API v2 is the request and its job", async () => {
    const tester = await v2Caller(t, await t.app.getUrl(), 'counted-tester', 'tester');
    await t.workers.register(workerRegistration({ caps: { board: 'own' } }), AGENT);
    const created = await tester.call<{ id: number }>('POST', '/api/v2/requests', {
      caps: { board: 'own' },
    });
    const read = () => tester.call('GET', `/api/v2/requests/${created.body.id}`);
    expect((await read()).status).toBe(200);
    // No token, user or owner-name query: the token was looked up a moment ago and the
    // owner is the caller.
    expect(await tripsOf(read)).toEqual({ All: 2 });
  });

  it('API v2 answers a create and a close from their own transactions: no request, job, token or user is read after them', async () => {
    const tester = await v2Caller(t, await t.app.getUrl(), 'answered-tester', 'tester');
    await idleWorker(t, { board: 'answered' });
    await tester.call('GET', '/api/v2/whoami');
    reads = [];
    const created = await tester.call<{ id: number; state: string; job: unknown }>(
      'POST',
      '/api/v2/requests',
      { caps: { board: 'answered' } },
    );
    expect(created.body).toMatchObject({ state: 'IN PROGRESS', job: expect.any(Object) });
    await t.settle();
    const closed = await tester.call('POST', `/api/v2/requests/${created.body.id}/close`);
    expect(closed.body).toMatchObject({
      state: 'DONE',
      owner: 'answered-tester',
      job: { endedAt: expect.any(String) },
      ended: { how: 'closed-by-owner' },
    });
    // What the agent's work after each (the tunnel, the board's prepare) reads is its own.
    expect(reads.filter((sql) => !sql.includes('FROM "workers"'))).toEqual([]);
  });
});
