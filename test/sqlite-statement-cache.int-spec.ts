import { createHook } from 'node:async_hooks';
import * as path from 'node:path';
import sqlite3 from 'sqlite3';
import { cacheStatements, MAX_CACHED_STATEMENTS } from '../src/database/sqlite-statement-cache';
import { tempDir } from './support/temp-dir';

/** A real SQLite file behind a caching connection, and how many statements it prepared. */
describe('prepared statements kept per SQLite connection', () => {
  const dir = tempDir('leshy-statement-cache-');
  let db: sqlite3.Database;
  /** The SQL of every statement node-sqlite3 prepared (a trip to its thread pool each). */
  let prepared: string[];
  let lastSql = '';
  // node-sqlite3 queues a prepare as async work of this type, synchronously in the caller.
  const hook = createHook({
    init(_id, type) {
      if (type === 'sqlite3.Statement.Prepare') prepared.push(lastSql);
    },
  });
  beforeAll(() => hook.enable());
  afterAll(() => hook.disable());

  const run = (sql: string, params: unknown[] = []) =>
    new Promise<{ lastID: number; changes: number }>((resolve, reject) =>
      db.run((lastSql = sql), params, function (this: sqlite3.RunResult, error: Error | null) {
        if (error) reject(error);
        else resolve({ lastID: this.lastID, changes: this.changes });
      }),
    );
  const all = (sql: string, params: unknown[] = []) =>
    new Promise<unknown[]>((resolve, reject) =>
      db.all((lastSql = sql), params, (error: Error | null, rows: unknown[]) =>
        error ? reject(error) : resolve(rows),
      ),
    );

  beforeEach(async () => {
    const file = path.join(dir.path, `${Date.now()}-${Math.random()}.sqlite`);
    db = await new Promise<sqlite3.Database>((resolve, reject) => {
      const opened = new sqlite3.Database(file, (error) =>
        error ? reject(error) : resolve(opened),
      );
    });
    prepared = [];
    cacheStatements(db);
    await run('PRAGMA journal_mode = WAL');
    await run('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)');
    prepared = [];
  });
  afterEach(
    () => new Promise<void>((resolve, reject) => db.close((e) => (e ? reject(e) : resolve()))),
  );
  afterAll(() => dir.remove());

  it('prepares a statement once and answers each run with its own results', async () => {
    expect(await run('INSERT INTO t (v) VALUES (?)', ['a'])).toEqual({ lastID: 1, changes: 1 });
    expect(await run('INSERT INTO t (v) VALUES (?)', ['b'])).toEqual({ lastID: 2, changes: 1 });
    expect(await run('UPDATE t SET v = v || ? WHERE id > ?', ['!', 0])).toEqual({
      lastID: 2,
      changes: 2,
    });
    expect(await all('SELECT v FROM t WHERE id = ?', [1])).toEqual([{ v: 'a!' }]);
    expect(await all('SELECT v FROM t WHERE id = ?', [2])).toEqual([{ v: 'b!' }]);
    expect(prepared).toEqual([
      'INSERT INTO t (v) VALUES (?)',
      'UPDATE t SET v = v || ? WHERE id > ?',
      'SELECT v FROM t WHERE id = ?',
    ]);
  });

  it('runs transactions of kept statements, BEGIN and COMMIT included, again and again', async () => {
    for (const v of ['x', 'y', 'z']) {
      await all('BEGIN TRANSACTION');
      await run('INSERT INTO t (v) VALUES (?)', [v]);
      await all('SELECT count(*) AS n FROM t');
      await all('COMMIT');
    }
    expect(await all('SELECT v FROM t ORDER BY id')).toEqual([{ v: 'x' }, { v: 'y' }, { v: 'z' }]);
    expect(prepared.filter((sql) => sql === 'COMMIT')).toHaveLength(1);
  });

  it('does not keep a run that stops at a row, so COMMIT is not refused for a statement in progress', async () => {
    // node-sqlite3's run steps once: these answer a row, and kept they would stay in progress.
    await run('PRAGMA journal_mode = WAL');
    await run("INSERT INTO t (v) VALUES ('r') RETURNING id");
    await all('BEGIN TRANSACTION');
    await run('INSERT INTO t (v) VALUES (?)', ['p']);
    await all('COMMIT');
    expect(await all('SELECT v FROM t ORDER BY id')).toEqual([{ v: 'r' }, { v: 'p' }]);
  });

  it('answers a statement that does not prepare with SQLite’s error, once', async () => {
    const answers: Array<Error | null> = [];
    await new Promise<void>((resolve) => {
      lastSql = 'SELECT nope FROM t';
      db.all(lastSql, [], (error: Error | null) => {
        answers.push(error);
        setTimeout(resolve, 50);
      });
    });
    expect(answers).toHaveLength(1);
    expect(answers[0]?.message).toMatch(/no such column: nope/);
    // Not kept: asked again, it is prepared again (and fails again).
    await expect(all('SELECT nope FROM t')).rejects.toThrow(/no such column/);
    expect(prepared.filter((sql) => sql === 'SELECT nope FROM t')).toHaveLength(2);
  });

  it('prepares a statement afresh after a run of it failed, and it works again', async () => {
    await run('INSERT INTO t (v) VALUES (?)', ['dup']);
    await expect(run('INSERT INTO t (v) VALUES (?)', ['dup'])).rejects.toThrow(/UNIQUE/);
    expect(await run('INSERT INTO t (v) VALUES (?)', ['other'])).toMatchObject({ changes: 1 });
    expect(prepared.filter((sql) => sql.startsWith('INSERT'))).toHaveLength(2);
  });

  it('keeps at most MAX_CACHED_STATEMENTS, finalizing the least recently used', async () => {
    const select = (i: number) => `SELECT ${i} AS n FROM t`;
    for (let i = 0; i <= MAX_CACHED_STATEMENTS; i++) await all(select(i));
    prepared = [];
    // The newest are kept; the very first was finalized when the cache overflowed.
    expect(await all(select(MAX_CACHED_STATEMENTS))).toEqual([]);
    expect(prepared).toEqual([]);
    await all(select(0));
    expect(prepared).toEqual([select(0)]);
  });

  it('lets many calls of one statement queue on it at once, each answered', async () => {
    await run('INSERT INTO t (v) VALUES (?)', ['q']);
    const rows = await Promise.all(
      Array.from({ length: 20 }, (_, i) => all('SELECT v, ? AS i FROM t', [i])),
    );
    expect(rows.map((r) => (r as Array<{ i: number }>)[0].i)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
  });
});
