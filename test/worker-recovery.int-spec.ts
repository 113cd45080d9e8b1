import { DataSource } from 'typeorm';
import { DryadSupervisor } from '../src/supervision/dryad-supervisor.service';
import {
  FailedWorkerRecovery,
  FLAPPING_LIMIT,
} from '../src/supervision/failed-worker-recovery.service';
import { AuditEventEntity } from '../src/events/audit-event.entity';
import { idleWorker } from './factories/worker.factory';
import { startTestAppPerSuite, TestApp } from './support/test-app';
import { ADMIN } from './support/actors';

/** A FAILED board whose agent answers again comes back by itself, unless it keeps failing. */
describe('FAILED workers recover by themselves', () => {
  let t: TestApp;
  let recovery: FailedWorkerRecovery;
  startTestAppPerSuite((app) => {
    t = app;
    recovery = app.app.get(FailedWorkerRecovery);
  });

  /** A failing health check takes the worker to FAILED, as when its agent stalls. */
  async function failByHealthCheck(uuid: string, why: string): Promise<void> {
    t.dryad.failing.set(uuid, why);
    await t.app.get(DryadSupervisor).runHealthChecks();
    expect((await t.workers.get(uuid)).state).toBe('FAILED');
  }

  async function transitionsOf(uuid: string): Promise<string[]> {
    const rows = await t.app
      .get(DataSource)
      .getRepository(AuditEventEntity)
      .find({
        where: { aggregate: 'worker', aggregateId: uuid, type: 'worker.state-changed' },
        order: { id: 'ASC' },
      });
    return rows.map((r) => `${r.before?.state}->${r.after?.state}: ${r.reason}`);
  }

  it('goes FAILED → PREPARE → IDLE once its agent passes a health check, in the audit', async () => {
    const { uuid } = await idleWorker(t, { board: 'stalled' });
    await failByHealthCheck(uuid, 'timed out after 60000 ms');
    t.dryad.failing.delete(uuid);

    await recovery.runRound();
    await t.settle();

    const worker = await t.workers.get(uuid);
    expect(worker.state).toBe('IDLE');
    expect(worker.failReason).toBeNull();
    expect((await transitionsOf(uuid)).slice(-3)).toEqual([
      'IDLE->FAILED: health check failed: timed out after 60000 ms',
      'FAILED->PREPARE: recovering: the agent answers again and passed a health check (failed: health check failed: timed out after 60000 ms)',
      'PREPARE->IDLE: prepared',
    ]);
  });

  it('an agent that still does not answer is tried again after a doubling wait', async () => {
    const { uuid } = await idleWorker(t, { board: 'still-down' });
    await failByHealthCheck(uuid, 'connection refused');
    const checks = () => t.dryad.countOf('healthcheck', uuid);
    const interval = t.config.healthcheckIntervalMs;

    const before = checks();
    await recovery.runRound();
    expect(checks()).toBe(before + 1);
    await recovery.runRound();
    expect(checks()).toBe(before + 1);
    t.clock.jump(interval);
    await recovery.runRound();
    expect(checks()).toBe(before + 2);
    // Second failure: the wait is two intervals now.
    t.clock.jump(interval);
    await recovery.runRound();
    expect(checks()).toBe(before + 2);
    t.clock.jump(interval);
    await recovery.runRound();
    expect(checks()).toBe(before + 3);
    expect((await t.workers.get(uuid)).state).toBe('FAILED');
  });

  it(`a board that failed ${FLAPPING_LIMIT} times within an hour stays FAILED as flapping`, async () => {
    const { uuid } = await idleWorker(t, { board: 'flapping' });
    for (let episode = 1; episode < FLAPPING_LIMIT; episode++) {
      await failByHealthCheck(uuid, `episode ${episode}`);
      t.dryad.failing.delete(uuid);
      await recovery.runRound();
      await t.settle();
      expect((await t.workers.get(uuid)).state).toBe('IDLE');
      t.clock.jump(60_000);
    }
    await failByHealthCheck(uuid, `episode ${FLAPPING_LIMIT}`);
    t.dryad.failing.delete(uuid);

    await recovery.runRound();
    await t.settle();

    const worker = await t.workers.get(uuid);
    expect(worker.state).toBe('FAILED');
    expect(worker.failReason).toMatch(
      new RegExp(
        `^flapping: failed ${FLAPPING_LIMIT} times within an hour, left FAILED for an admin`,
      ),
    );
    // Not tried again in a loop.
    const checks = t.dryad.countOf('healthcheck', uuid);
    await recovery.runRound();
    expect(t.dryad.countOf('healthcheck', uuid)).toBe(checks);
    // An admin brings it back: MAINTENANCE, then IDLE.
    await t.workers.setState(uuid, 'MAINTENANCE', ADMIN);
    await t.settle();
    await t.workers.setState(uuid, 'IDLE', ADMIN);
    await t.settle();
    expect((await t.workers.get(uuid)).state).toBe('IDLE');
  });
});
