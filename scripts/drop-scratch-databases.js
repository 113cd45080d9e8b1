// Drops the scratch PostgreSQL databases whose names start with the prefix given (a run's own,
// see LESHY_TEST_PG_PREFIX in test/support/scratch-postgres.ts), so a CI run leaves none behind.
const { Client } = require('pg');

async function main() {
  const prefix = process.argv[2];
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(prefix ?? '')) throw new Error(`bad prefix: ${prefix}`);
  const admin =
    process.env.LESHY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new Client({ connectionString: admin });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_%'",
      [prefix],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
    console.log(`dropped ${rows.length} scratch database(s) ${prefix}_*`);
  } finally {
    await client.end();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
