import { DataSource } from 'typeorm';
import { findViolations } from './support/invariants';
import { hammer } from './support/scenario';
import { startTestAppPerSuite, TestApp } from './support/test-app';

describe('concurrency on SQLite: parallel calls against few workers', () => {
  let t: TestApp;
  startTestAppPerSuite((app) => (t = app));

  it('never gives a worker two jobs and leaves every request and worker in one legal state', async () => {
    const outcome = await hammer([t], { seed: 7, rounds: 30, perRound: 24, workers: 4 });
    expect(outcome.unexpected).toEqual([]);
    expect(outcome.requests).toBeGreaterThan(150);
    expect(await findViolations(t.app.get(DataSource), t.clock.now())).toEqual([]);
    // The run really exercised matching, including matches refused by the database.
    const stats = t.matcher.stats();
    expect(stats.matches).toBeGreaterThan(10);
  });
});
