import type { Database } from 'sqlite3';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { epochMs, jsonText } from '../src/database/column-transformers';
import { deferInsert } from '../src/database/deferred-inserts';
import { findRow } from '../src/database/find-row';
import { insertRows } from '../src/database/insert-rows';
import { SqliteSerialExecutor } from '../src/database/sqlite-serial-executor';
import { updateRows } from '../src/database/update-rows';
import { RowCacheDisagrees, verifyRowCache } from '../src/database/writer-row-cache';
import { tempDir } from './support/temp-dir';

/** Columns of every kind the server's entities have: text, integer, boolean, dates, JSON. */
@Entity({ name: 'boards' })
class Board {
  @PrimaryColumn('varchar', { length: 36 })
  uuid!: string;

  @Column('integer')
  version!: number;

  @Column('text', { transformer: jsonText })
  caps!: Record<string, string>;

  @Column('boolean')
  busy!: boolean;

  @Column('bigint', { name: 'seen_at', nullable: true, transformer: epochMs })
  seenAt!: Date | null;

  @Column('text', { nullable: true })
  note!: string | null;
}

const SCHEMA = `CREATE TABLE boards (uuid VARCHAR(36) PRIMARY KEY, version INTEGER NOT NULL,
  caps TEXT NOT NULL, busy BOOLEAN NOT NULL, seen_at BIGINT, note TEXT)`;

describe("the SQLite writer's row cache", () => {
  const dir = tempDir();
  let dataSource: DataSource;
  let executor: SqliteSerialExecutor;
  let statements: string[] = [];

  beforeAll(async () => {
    dataSource = await new DataSource({
      type: 'sqlite',
      database: `${dir.path}/cache.sqlite`,
      enableWAL: true,
      entities: [Board],
    }).initialize();
    await dataSource.query(SCHEMA);
    executor = new SqliteSerialExecutor(dataSource);
    const driver = dataSource.driver as unknown as { databaseConnection: Database };
    driver.databaseConnection.on('trace', (sql) => statements.push(sql.split(' ')[0]));
  });
  afterAll(async () => {
    await dataSource.destroy();
    dir.remove();
  });
  beforeEach(() => verifyRowCache(false));

  const board = (uuid: string, version = 1): Board =>
    Object.assign(new Board(), {
      uuid,
      version,
      caps: { board: 'rpi4' },
      busy: false,
      seenAt: new Date(1_700_000_000_123),
      note: null,
    });
  const read = (uuid: string) => executor.write((em) => findRow(em, Board, { uuid }));
  /** The statements (their first word) that `work` sent on the writer connection. */
  const sent = async <T>(work: () => Promise<T>): Promise<{ value: T; sent: string[] }> => {
    statements = [];
    const value = await work();
    return { value, sent: statements.filter((s) => !['BEGIN', 'COMMIT', 'ROLLBACK'].includes(s)) };
  };

  it('reads again without a statement a row it inserted, read or updated, hydrated as from the database', async () => {
    await executor.write((em) => insertRows(em, Board, [board('a')]));
    const first = await sent(() => read('a'));
    expect(first.sent).toEqual([]);
    expect(first.value).toEqual(board('a'));

    const changed = await sent(() =>
      executor.write(async (em) => {
        const n = await updateRows(
          em,
          Board,
          { uuid: 'a', version: 1 },
          {
            version: 2,
            busy: true,
            seenAt: new Date(1_700_000_999_000),
            note: 'flashing',
            caps: { board: 'rpi4', ram: '4G' },
          },
        );
        return [n, await findRow(em, Board, { uuid: 'a' })];
      }),
    );
    expect(changed.sent).toEqual(['UPDATE']);
    expect(changed.value).toEqual([
      1,
      Object.assign(board('a', 2), {
        busy: true,
        seenAt: new Date(1_700_000_999_000),
        note: 'flashing',
        caps: { board: 'rpi4', ram: '4G' },
      }),
    ]);
    // Conditions beyond the primary key are checked on the known row, as the WHERE would.
    const stale = await sent(() =>
      executor.write((em) => findRow(em, Board, { uuid: 'a', version: 1 })),
    );
    expect(stale).toEqual({ value: null, sent: [] });
  });

  it('forgets a table that a statement it does not follow writes to, and everything on a ROLLBACK', async () => {
    await executor.write((em) => insertRows(em, Board, [board('b'), board('c')]));
    // TypeORM's own update: the next read goes to the database, and sees the change.
    await executor.write((em) => em.update(Board, { uuid: 'b' }, { note: 'by TypeORM' }));
    const afterUpdate = await sent(() => read('b'));
    expect(afterUpdate.sent).toEqual(['SELECT']);
    expect(afterUpdate.value?.note).toBe('by TypeORM');
    await executor.write((em) => em.query(`UPDATE boards SET note = 'raw' WHERE uuid = 'c'`));
    expect((await read('c'))?.note).toBe('raw');

    // A write that fails after changing a known row: rolled back, and the cache forgets it.
    await read('b');
    await expect(
      executor.write(async (em) => {
        await updateRows(em, Board, { uuid: 'b' }, { note: 'never committed' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const afterRollback = await sent(() => read('b'));
    expect(afterRollback.sent).toEqual(['SELECT']);
    expect(afterRollback.value?.note).toBe('by TypeORM');
  });

  it('an update that changed no row, or not by primary key, is not guessed at', async () => {
    await executor.write((em) => insertRows(em, Board, [board('d'), board('e')]));
    expect(
      await executor.write((em) => updateRows(em, Board, { uuid: 'd', version: 7 }, { note: 'x' })),
    ).toBe(0);
    expect((await sent(() => read('d'))).sent).toEqual(['SELECT']);
    await read('e');
    await executor.write((em) => updateRows(em, Board, { version: 1 }, { note: 'all of them' }));
    const e = await sent(() => read('e'));
    expect(e.sent).toEqual(['SELECT']);
    expect(e.value?.note).toBe('all of them');
  });

  it('a deferred row changed where it waits is known as written', async () => {
    await executor.write(async (em) => {
      deferInsert(em, Board, board('f'));
      await updateRows(em, Board, { uuid: 'f', version: 1 }, { version: 2, busy: true });
    });
    const f = await sent(() => read('f'));
    expect(f.sent).toEqual([]);
    expect(f.value).toEqual(Object.assign(board('f', 2), { busy: true }));
  });

  it('a checked run of random writes never answers a row the database holds otherwise', async () => {
    verifyRowCache(true);
    const uuids = ['r0', 'r1', 'r2', 'r3'];
    await executor.write((em) =>
      insertRows(
        em,
        Board,
        uuids.map((u) => board(u)),
      ),
    );
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let step = 0; step < 300; step++) {
      const u = uuids[random(uuids.length)];
      const kind = random(7);
      const writes = executor.write(async (em) => {
        if (kind === 0) await em.update(Board, { uuid: u }, { version: random(5) });
        if (kind === 1) await em.query('UPDATE boards SET busy = NOT busy WHERE uuid = ?', [u]);
        if (kind === 2) await updateRows(em, Board, { uuid: u }, { seenAt: new Date(random(1e9)) });
        if (kind === 3)
          await updateRows(em, Board, { uuid: u, version: random(3) }, { note: `n${random(9)}` });
        if (kind === 4) await updateRows(em, Board, { version: random(3) }, { busy: true });
        if (kind === 5) {
          await updateRows(em, Board, { uuid: u }, { note: 'rolled back' });
          throw new Error('rolled back');
        }
        return findRow(em, Board, { uuid: u });
      });
      // Several at once, so some share a group commit (and one's failure redoes the others).
      const alongside = executor.write((em) => findRow(em, Board, { uuid: uuids[random(4)] }));
      const outcomes = await Promise.allSettled([writes, alongside]);
      for (const outcome of outcomes)
        if (outcome.status === 'rejected') {
          expect(outcome.reason).not.toBeInstanceOf(RowCacheDisagrees);
          expect((outcome.reason as Error).message).toBe('rolled back');
        }
    }
  });
});
