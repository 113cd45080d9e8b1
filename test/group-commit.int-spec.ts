import type { Database } from 'sqlite3';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { deferInsert } from '../src/database/deferred-inserts';
import { updateRows } from '../src/database/update-rows';
import { ReadConnection } from '../src/database/read-connection';
import { SqliteSerialExecutor } from '../src/database/sqlite-serial-executor';
import { tempDir } from './support/temp-dir';

@Entity({ name: 'parts' })
class Part {
  @PrimaryColumn('integer')
  id!: number;

  @Column('text')
  label!: string;
}

describe('SQLite group commit', () => {
  const dir = tempDir();
  let dataSource: DataSource;
  let executor: SqliteSerialExecutor;

  beforeAll(async () => {
    dataSource = await new DataSource({
      type: 'sqlite',
      database: `${dir.path}/gc.sqlite`,
      enableWAL: true,
      entities: [Part],
    }).initialize();
    await dataSource.query('CREATE TABLE items (name TEXT PRIMARY KEY)');
    await dataSource.query('CREATE TABLE parts (id INTEGER PRIMARY KEY, label TEXT NOT NULL)');
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

  it('writes deferred rows of a batch in one INSERT, before any later statement, and drops them with a rolled-back batch', async () => {
    const statements: string[] = [];
    const driver = dataSource.driver as unknown as { databaseConnection: Database };
    const trace = (sql: string) => statements.push(sql);
    driver.databaseConnection.on('trace', trace);
    const part = (id: number) =>
      executor.write(async (em) => {
        if (!deferInsert(em, Part, { id, label: `part ${id}` })) throw new Error('not deferred');
        return id;
      });
    try {
      // The first write runs alone; the three that queued meanwhile are one INSERT.
      await Promise.all([part(1), part(2), part(3), part(4)]);
      expect(statements.filter((sql) => sql.startsWith('INSERT INTO "parts"'))).toEqual([
        expect.stringMatching(/VALUES \(1, 'part 1'\)$/),
        expect.stringMatching(/VALUES \(2, 'part 2'\), \(3, 'part 3'\), \(4, 'part 4'\)$/),
      ]);

      // A later statement of the batch sees the rows deferred before it: they are written first.
      const [, , counted] = await Promise.all([
        part(5),
        part(6),
        executor.write(async (em) => em.query('SELECT COUNT(*) AS n FROM parts')),
      ]);
      expect(counted).toEqual([{ n: 6 }]);

      // A failing write rolls the batch back, its rows with it; the others run again alone.
      const seventh = part(7);
      const outcomes = await Promise.allSettled([
        part(8),
        executor.write(async (em) => em.query('SELECT COUNT(*) AS n FROM parts')),
        executor.write(async (em) => {
          deferInsert(em, Part, { id: 99, label: 'never' });
          throw new Error('changed my mind');
        }),
      ]);
      await seventh;
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      expect((outcomes[1] as PromiseFulfilledResult<unknown>).value).toEqual([{ n: 8 }]);
    } finally {
      driver.databaseConnection.removeListener('trace', trace);
    }
    expect(await dataSource.query('SELECT id FROM parts ORDER BY id')).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((id) => ({ id })),
    );
  });

  it('a waiting row lets statements on other tables pass, and an update by its key changes it where it waits', async () => {
    const statements: string[] = [];
    const driver = dataSource.driver as unknown as { databaseConnection: Database };
    const trace = (sql: string) => statements.push(sql.split(' ').slice(0, 3).join(' '));
    driver.databaseConnection.on('trace', trace);
    try {
      const changed = await executor.write(async (em) => {
        deferInsert(em, Part, { id: 20, label: 'new' });
        // Neither names the parts table: the row still waits.
        await em.query('SELECT COUNT(*) AS n FROM items');
        await em.query("UPDATE items SET name = 'z' WHERE name = 'nobody'");
        const updated = await updateRows(em, Part, { id: 20, label: 'new' }, { label: 'renamed' });
        // A compare-and-set that does not hold on the waiting row changes nothing: the real
        // UPDATE runs, after the row is written.
        const missed = await updateRows(em, Part, { id: 20, label: 'new' }, { label: 'lost' });
        return [updated, missed];
      });
      expect(changed).toEqual([1, 0]);
      expect(statements).toEqual([
        'BEGIN TRANSACTION',
        'SELECT COUNT(*) AS',
        'UPDATE items SET',
        'INSERT INTO "parts"',
        'UPDATE "parts" SET',
        'COMMIT',
      ]);
      // Only the waiting row's own key changes it there: a key without the primary key is an UPDATE.
      statements.length = 0;
      const byLabel = await executor.write(async (em) => {
        deferInsert(em, Part, { id: 21, label: 'other' });
        return updateRows(em, Part, { label: 'other' }, { label: 'relabelled' });
      });
      expect(byLabel).toBe(1);
      expect(statements.slice(1, 3)).toEqual(['INSERT INTO "parts"', 'UPDATE "parts" SET']);
    } finally {
      driver.databaseConnection.removeListener('trace', trace);
    }
    expect(
      await dataSource.query('SELECT id, label FROM parts WHERE id >= 20 ORDER BY id'),
    ).toEqual([
      { id: 20, label: 'renamed' },
      { id: 21, label: 'relabelled' },
    ]);
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
