import { DataSource } from 'typeorm';
import { ReadConnection } from '../src/database/read-connection';
import { SqliteSerialExecutor } from '../src/database/sqlite-serial-executor';
import { tempDir } from './support/temp-dir';

describe('SQLite group commit', () => {
  const dir = tempDir();
  let dataSource: DataSource;
  let executor: SqliteSerialExecutor;

  beforeAll(async () => {
    dataSource = await new DataSource({
      type: 'sqlite',
      database: `${dir.path}/gc.sqlite`,
      enableWAL: true,
    }).initialize();
    await dataSource.query('CREATE TABLE items (name TEXT PRIMARY KEY)');
    executor = new SqliteSerialExecutor(dataSource);
  });
  afterAll(async () => {
    await dataSource.destroy();
    dir.remove();
  });

  const names = async () =>
    (await dataSource.query('SELECT name FROM items ORDER BY name')).map(
      (r: { name: string }) => r.name,
    );

  it('commits concurrent writes, and a failing one rolls back alone without losing the others', async () => {
    const insert = (name: string) =>
      executor.write((em) => em.query('INSERT INTO items (name) VALUES (?)', [name]));
    // The second write of "b" and a write that fails half-way are in the same batch as good ones.
    const outcomes = await Promise.allSettled([
      insert('a'),
      insert('b'),
      executor.write(async (em) => {
        await em.query('INSERT INTO items (name) VALUES (?)', ['half']);
        throw new Error('changed my mind');
      }),
      insert('b'),
      insert('c'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason.message).toBe('changed my mind');
    expect(String((outcomes[3] as PromiseRejectedResult).reason)).toMatch(
      /UNIQUE constraint failed/,
    );
    expect(await names()).toEqual(['a', 'b', 'c']);
  });

  it('the read connection sees committed rows only, and does not wait for a transaction', async () => {
    const reads = await ReadConnection.open(dataSource);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const writing = executor.write(async (em) => {
      await em.query('INSERT INTO items (name) VALUES (?)', ['d']);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await reads.manager.query('SELECT COUNT(*) AS n FROM items')).toEqual([{ n: 3 }]);
    release();
    await writing;
    expect(await reads.manager.query('SELECT COUNT(*) AS n FROM items')).toEqual([{ n: 4 }]);
    await reads.onApplicationShutdown();
  });
});
