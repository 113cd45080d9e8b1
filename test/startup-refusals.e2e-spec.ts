import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { readableLog } from './support/log-lines';
import { runServerUntilExit, startServer } from './support/server-process';
import { tempDir } from './support/temp-dir';

/** The lines a refused start-up printed, without the start-up log (JSON lines at level info). */
const ownLines = (output: string) =>
  readableLog(output)
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^LOG /.test(line));

/**
 * Start-ups that cannot succeed stop fast with one line saying what is wrong and what to do,
 * not a stack trace (and not half a minute of retries).
 */
describe('start-ups that cannot work say why in one line', () => {
  const dir = tempDir('leshy-refusals-');
  afterAll(() => dir.remove());

  it('a LESHY_SECRET that is not the one the database was sealed with', async () => {
    const dataDir = path.join(dir.path, 'secret');
    // First start without LESHY_SECRET: the secret is generated into the data dir.
    await (await startServer({ dataDir })).stop();

    const run = await runServerUntilExit({
      dataDir,
      env: { LESHY_SECRET: 'another-secret-of-enough-length' },
    });
    expect(run.code).not.toBe(0);
    expect(run.output).not.toMatch(/Unsupported state or unable to authenticate data|\n\s+at /);
    expect(ownLines(run.output)).toEqual([
      `Leshy could not start: This database was sealed with another secret than LESHY_SECRET: set the same LESHY_SECRET on every instance that uses it (or the one in ${path.join(dataDir, 'secret.key')} of the instance that first started on it).`,
    ]);
  });

  it('no LESHY_SECRET, and a secret.key that is not the one the database was sealed with', async () => {
    const dataDir = path.join(dir.path, 'lost-key');
    await (await startServer({ dataDir })).stop();
    rmSync(path.join(dataDir, 'secret.key'));

    const run = await runServerUntilExit({ dataDir });
    expect(run.code).not.toBe(0);
    expect(ownLines(run.output)).toEqual([
      expect.stringMatching(
        /^Leshy could not start: This database was sealed with another secret than the secret in .*secret\.key: set the same LESHY_SECRET/,
      ),
    ]);
  });

  /** A PostgreSQL URL of a database that does not exist. */
  function missingDatabase(): { url: URL; name: string } {
    const name = `leshy_missing_${randomBytes(4).toString('hex')}`;
    const url = new URL(
      process.env.LESHY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    );
    url.pathname = `/${name}`;
    return { url, name };
  }

  it('logs carry no colour codes when they do not go to a terminal (here: a pipe)', async () => {
    const run = await runServerUntilExit({
      dataDir: path.join(dir.path, 'colours'),
      // Neither NO_COLOR nor FORCE_COLOR: what a systemd unit or `> leshy.log` gets.
      env: { NO_COLOR: '', FORCE_COLOR: '', LESHY_DATABASE_URL: missingDatabase().url.toString() },
    });
    expect(readableLog(run.output)).toMatch(/LOG \[Config\] database: PostgreSQL/);
    expect(run.output).not.toContain('\x1b[');
  });

  it('a PostgreSQL database that does not exist', async () => {
    const { url: admin, name } = missingDatabase();
    const run = await runServerUntilExit({
      dataDir: path.join(dir.path, 'missing-db'),
      env: { LESHY_DATABASE_URL: admin.toString() },
    });
    expect(run.code).not.toBe(0);
    // Not ~30 s of retries: one attempt (a loaded machine gets some slack).
    expect(run.ms).toBeLessThan(10_000);
    expect(run.output).not.toMatch(/Retrying|\n\s+at /);
    expect(ownLines(run.output)).toEqual([
      `Leshy could not start: the PostgreSQL database "${name}" (LESHY_DATABASE_URL) does not exist: create it with \`createdb -h ${admin.hostname} -p ${admin.port} -U ${admin.username} ${name}\` or \`CREATE DATABASE "${name}";\` in psql, then start again.`,
    ]);
  });
});
