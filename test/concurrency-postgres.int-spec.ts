import { instancesOnPostgres } from './support/instances-on-postgres';
import { DataSource } from 'typeorm';
import { FakeClock } from './fakes/fake-clock';
import { findViolations } from './support/invariants';
import { hammer } from './support/scenario';
import type { TestApp } from './support/test-app';

describe('concurrency on PostgreSQL: two server instances (one elected scheduler), one database', () => {
  let apps: TestApp[] = [];
  const clock = new FakeClock();
  instancesOnPostgres(2, { each: () => ({ clock }) }, (started) => (apps = started.apps));

  it('the database arbitrates: no worker gets two jobs, whichever instance matched', async () => {
    const outcome = await hammer(apps, { seed: 11, rounds: 20, perRound: 24, workers: 4 });
    expect(outcome.unexpected).toEqual([]);
    expect(await findViolations(apps[0].app.get(DataSource), apps[0].clock.now())).toEqual([]);
    const matches = apps.map((a) => a.matcher.stats().matches);
    expect(matches[0] + matches[1]).toBeGreaterThan(10);
  });
});
