import * as path from 'node:path';
import sqlite3 from 'sqlite3';
import { DataSource } from 'typeorm';
import { requestInput } from './factories/request.factory';
import { workerRegistration } from './factories/worker.factory';
import { ADMIN, AGENT, TESTER } from './support/actors';
import { startTestApp, TestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';

/** Runs one statement on a stopped server's SQLite file. */
function runOn(file: string, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, (opened) => {
      if (opened) return reject(opened);
      db.run(sql, (error) => db.close(() => (error ? reject(error) : resolve())));
    });
  });
}

/**
 * On SQLite the server counts request ids itself, so that the creates of one group commit are
 * written in one INSERT (DeferredInserts): ids stay unique and increasing, across restarts too.
 */
describe('request ids on SQLite', () => {
  const dir = tempDir();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  afterAll(() => dir.remove());

  const start = async () => {
    t = await startTestApp({ dataDir: dir.path, sqliteOnly: true });
    return t;
  };

  it('writes the creates of one group commit in one INSERT, each with its own id', async () => {
    const app = await start();
    // A registered worker could serve them: no unservable notes, only the creates are written.
    await app.workers.register(workerRegistration({ caps: { board: 'batched' } }), AGENT);
    await app.settle();
    const statements: string[] = [];
    const driver = app.app.get(DataSource).driver as unknown as {
      databaseConnection: sqlite3.Database;
    };
    driver.databaseConnection.on('trace', (sql) => statements.push(sql));

    const created = await Promise.all(
      Array.from({ length: 12 }, () =>
        app.requests.create(requestInput({ caps: { board: 'batched' } }), TESTER),
      ),
    );
    await app.settle();

    const ids = created.map((r) => r.id);
    const first = Math.min(...ids);
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => first + i));
    const inserts = statements.filter((sql) => sql.startsWith('INSERT INTO "requests"'));
    // The first create runs alone; the ones that queued meanwhile share a transaction.
    expect(inserts.length).toBeLessThan(12);
    expect(statements.filter((sql) => sql.startsWith('BEGIN')).length).toBe(inserts.length);
    for (const id of ids) {
      expect((await app.requests.get(id, ADMIN)).request).toMatchObject({
        id,
        state: 'WAITING',
        caps: { board: 'batched' },
      });
    }
  });

  it('goes on after a restart from the highest id ever given, a deleted one included', async () => {
    let app = await start();
    const before = await app.requests.create(requestInput({ caps: { board: 'gone' } }), TESTER);
    await app.close();
    t = undefined;
    // The newest request is gone (say, removed by hand): its id is still not given again.
    await runOn(
      path.join(dir.path, 'leshy.sqlite'),
      `DELETE FROM requests WHERE id = ${before.id}`,
    );

    app = await start();
    const after = await app.requests.create(requestInput({ caps: { board: 'gone' } }), TESTER);
    expect(after.id).toBe(before.id + 1);
  });
});
