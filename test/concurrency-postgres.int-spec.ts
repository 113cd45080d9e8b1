import { DataSource } from 'typeorm';
import { FakeClock } from './fakes/fake-clock';
import { findViolations } from './support/invariants';
import { hammer } from './support/scenario';
import { scratchPostgres } from './support/scratch-postgres';
import { startTestApp, TestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';

describe('concurrency on PostgreSQL: two server instances (one elected scheduler), one database', () => {
  const dirs = [tempDir(), tempDir()];
  let apps: TestApp[] = [];
  let database: Awaited<ReturnType<typeof scratchPostgres>>;

  beforeAll(async () => {
    database = await scratchPostgres();
    const clock = new FakeClock();
    const env = { LESHY_DATABASE_URL: database.url, LESHY_SECRET: 'shared-secret-of-the-cluster' };
    // One after the other, so only one runs the migrations.
    for (const dir of dirs) apps.push(await startTestApp({ dataDir: dir.path, clock, env }));
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    apps = [];
    await database.drop();
    for (const dir of dirs) dir.remove();
  });

  it('the database arbitrates: no worker gets two jobs, whichever instance matched', async () => {
    const outcome = await hammer(apps, { seed: 11, rounds: 20, perRound: 24, workers: 4 });
    expect(outcome.unexpected).toEqual([]);
    expect(await findViolations(apps[0].app.get(DataSource), apps[0].clock.now())).toEqual([]);
    const matches = apps.map((a) => a.matcher.stats().matches);
    expect(matches[0] + matches[1]).toBeGreaterThan(10);
  });
});
