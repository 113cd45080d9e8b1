import { Client } from 'pg';
import { FatalStartupError } from '../common/fatal-startup-error';
import { DatabaseConfig } from '../config/app-config';

/** SQLSTATE invalid_catalog_name: the database named in the URL does not exist. */
const MISSING_DATABASE = '3D000';

/**
 * One connection attempt before the server starts, for the one mistake that retrying cannot
 * fix: a PostgreSQL database that does not exist. That stops start-up at once with how to
 * create it; any other failure (server not up yet, network) is left to the usual retries.
 */
export async function checkPostgresDatabaseExists(database: DatabaseConfig): Promise<void> {
  if (database.kind !== 'postgres') return;
  const client = new Client({ connectionString: database.url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code === MISSING_DATABASE)
      throw new FatalStartupError(missingDatabaseMessage(database.url), { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The URL's parts for a createdb command line; never its password. */
function missingDatabaseMessage(url: string): string {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const options = [
    parsed.hostname && `-h ${parsed.hostname}`,
    parsed.port && `-p ${parsed.port}`,
    parsed.username && `-U ${decodeURIComponent(parsed.username)}`,
  ].filter(Boolean);
  return `the PostgreSQL database "${name}" (LESHY_DATABASE_URL) does not exist: create it with \`createdb ${[...options, name].join(' ')}\` or \`CREATE DATABASE "${name}";\` in psql, then start again.`;
}
