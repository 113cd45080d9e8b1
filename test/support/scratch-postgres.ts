import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * A throw-away PostgreSQL database on the machine's server (trust auth on 127.0.0.1, as on the
 * CI machine). LESHY_TEST_POSTGRES_URL points elsewhere if needed.
 */
export async function scratchPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin =
    process.env.LESHY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  // A run that drops its own databases afterwards (.ci/run) names them with a prefix of its own.
  const prefix = process.env.LESHY_TEST_PG_PREFIX ?? 'leshy_test';
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(prefix))
    throw new Error(
      `LESHY_TEST_PG_PREFIX=${JSON.stringify(prefix)}: use lowercase letters, digits, _`,
    );
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: admin });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is needed for this suite and is not reachable at ${admin} (${(error as Error).message}). ` +
        'Start it, or set LESHY_TEST_POSTGRES_URL to a server where the user may create databases.',
      { cause: error },
    );
  }
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = new Client({ connectionString: admin });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/**
 * Runs one statement on the maintenance database of the server `url` is on (not on `url`'s
 * database, which a suite may have closed to cut a running server off it).
 */
export async function onMaintenanceDatabase(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<void> {
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}
