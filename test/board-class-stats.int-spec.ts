import { systemActor } from '../src/auth/actor';
import { TokensService } from '../src/auth/tokens.service';
import { UsersService } from '../src/auth/users.service';
import type { BoardClassStatsAnswer } from '../src/stats/board-class-stats';
import { ADMIN, AGENT, TESTER } from './support/actors';
import { requestInput } from './factories/request.factory';
import { idleWorker, workerRegistration } from './factories/worker.factory';
import { rawRequest } from './support/http-client';
import { startTestAppPerSuite, TestApp } from './support/test-app';

/** GET /api/v2/stats/board-classes: per board class counts, medians and failure rate. */
describe('board class statistics', () => {
  let t: TestApp;
  startTestAppPerSuite((app) => (t = app), { http: true });

  async function stats(): Promise<BoardClassStatsAnswer> {
    const system = systemActor('stats');
    const user = await t.app.get(UsersService).create(system, {
      name: `viewer-${Math.random().toString(36).slice(2, 8)}`,
      role: 'tester',
    });
    const token = await t.app.get(TokensService).issueUserToken(system, user.id, { label: 'x' });
    const response = await rawRequest(await t.app.getUrl(), 'GET', '/api/v2/stats/board-classes', {
      headers: { Authorization: `Bearer ${token.secret}` },
    });
    expect(response.status).toBe(200);
    return JSON.parse(response.body) as BoardClassStatsAnswer;
  }
  const state = async (id: number) => (await t.requests.get(id, ADMIN)).request.state;

  it('counts boards by state and waiting requests by class, with medians and failure rate', async () => {
    await idleWorker(t, { board: 'sa' });
    await idleWorker(t, { board: 'sa' });
    // sb's only board starts in MAINTENANCE: its request waits until an admin sets it IDLE.
    const sb = workerRegistration({ caps: { board: 'sb' } });
    await t.workers.register(sb, AGENT);

    const first = await t.requests.create(requestInput({ caps: { board: 'sa' } }), TESTER);
    await t.settle();
    expect(await state(first.id)).toBe('IN PROGRESS');
    t.clock.jump(60_000);
    await t.requests.close(first.id, TESTER);
    await t.settle();

    const failing = await t.requests.create(requestInput({ caps: { board: 'sb' } }), TESTER);
    t.clock.jump(120_000);
    await t.workers.setState(sb.uuid, 'IDLE', ADMIN);
    await t.settle();
    expect(await state(failing.id)).toBe('IN PROGRESS');
    await t.workers.reportFailure(sb.uuid, 'dut does not boot', AGENT);
    await t.settle();
    expect(await state(failing.id)).toBe('FAILED');

    for (let i = 0; i < 3; i++)
      await t.requests.create(requestInput({ caps: { board: 'sa' } }), TESTER);
    await t.settle();

    const answer = await stats();
    expect(answer).toMatchObject({ cap: 'board', windowSeconds: 86400 });
    const byClass = Object.fromEntries(answer.classes.map((c) => [c.boardClass, c]));
    expect(byClass.sa).toEqual({
      boardClass: 'sa',
      workers: 2,
      idle: 0,
      used: 2,
      busy: 0,
      unavailable: 0,
      waiting: 1,
      medianWaitSeconds: 0,
      medianJobSeconds: 60,
      jobsEnded: 1,
      jobsFailed: 0,
      failureRate: 0,
    });
    expect(byClass.sb).toEqual({
      boardClass: 'sb',
      workers: 1,
      idle: 0,
      used: 0,
      busy: 0,
      unavailable: 1,
      waiting: 0,
      medianWaitSeconds: 120,
      medianJobSeconds: 0,
      jobsEnded: 1,
      jobsFailed: 1,
      failureRate: 1,
    });
  });

  it('leaves jobs older than a day out of the medians', async () => {
    t.clock.jump(25 * 60 * 60 * 1000);
    const sb = (await stats()).classes.find((c) => c.boardClass === 'sb')!;
    expect(sb).toMatchObject({ medianWaitSeconds: null, jobsEnded: 0, failureRate: null });
  });
});
