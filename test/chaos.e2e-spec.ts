import { CHAOS_DEFAULTS, ChaosOptions, parseChaosArgs } from './chaos/chaos-options';
import { ChaosReport, noViolations, runChaos } from './chaos/chaos-run';
import {
  findDoubleStartsInAudit,
  findLost,
  findOverdue,
  findOverlappingJobs,
  findStuckWorkers,
} from './chaos/checks';
import { formatReport } from './chaos/report';

// Five kills of a real server under load, then the checks: well under 90 s on a loaded 2-core machine.
jest.setTimeout(150_000);

/** The short run: a minute at most on a loaded 2-core machine. */
const SHORT: ChaosOptions = {
  ...CHAOS_DEFAULTS,
  kills: 5,
  boards: 8,
  cyclers: 4,
  waiters: 2,
  minUpMs: 500,
  maxUpMs: 2_000,
  seed: Date.now() % 2 ** 31,
  maxSeconds: 140,
};

/** Every must-be-0 figure is 0, and the run did what it says (kills, load through them). */
function expectEveryInvariantHeld(report: ChaosReport, kills: number): void {
  const printed = formatReport(report).join('\n');
  expect({ kills: report.kills, restarts: report.restartMs.length }).toEqual({
    kills,
    restarts: kills,
  });
  expect(report.acknowledged).toBeGreaterThan(20);
  expect(report.requestStates.DONE ?? 0).toBeGreaterThan(0);
  expect(report.requestStates.TIMEOUT ?? 0).toBeGreaterThan(0);
  expect({ printed, violations: report.violations }).toEqual({
    printed,
    violations: noViolations(),
  });
}

describe('npm run chaos, short: the server killed 5 times under load', () => {
  it('loses no acknowledged request, never gives a board twice, leaves nothing overdue or stuck', async () => {
    expectEveryInvariantHeld(await runChaos(SHORT, () => undefined), SHORT.kills);
  });

  it('on PostgreSQL with two instances, the scheduler killed 3 times: the same, and each failover within 10 s', async () => {
    expectEveryInvariantHeld(
      await runChaos({ ...SHORT, postgres: true, instances: 2, kills: 3 }, () => undefined),
      3,
    );
  });
});

describe('npm run chaos options', () => {
  it('take several instances only on PostgreSQL, where the scheduler is killed 10 times by default', () => {
    expect(() => parseChaosArgs(['--instances', '2'])).toThrow(
      /--instances above 1 needs --postgres: SQLite is the single-instance database/,
    );
    expect(parseChaosArgs(['--postgres', '--instances', '2'])).toMatchObject({ kills: 10 });
    expect(parseChaosArgs(['--postgres', '--instances', '2', '--kills', '3'])).toMatchObject({
      kills: 3,
    });
    expect(parseChaosArgs(['--seed', '7'])).toMatchObject({ kills: 20, seed: 7, postgres: false });
    expect(() => parseChaosArgs(['--kills', 'many'])).toThrow(/--kills takes a whole number/);
    expect(() => parseChaosArgs(['--kill'])).toThrow(/unknown option "--kill"/);
  });
});

/** The zeros above mean something only if each check sees a violation when there is one. */
describe('the chaos checks', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, s));
  const listed = (ID: number, State: string, Deadline = at(30)) => ({
    ID,
    Priority: 4,
    State,
    Deadline: Deadline.toISOString(),
  });
  const job = (requestId: number, workerUuid: string, start: number, end: number | null) => ({
    requestId,
    workerUuid,
    startedAt: at(start),
    timeoutAt: at(start + 5),
    endedAt: end === null ? null : at(end),
  });

  it('count an acknowledged request that is gone or changed', () => {
    const acked = [
      { id: 1, priority: 4 },
      { id: 2, priority: 4 },
      { id: 3, priority: 7 },
      { id: 4, priority: 4, deadline: at(31) },
    ];
    const found = [listed(1, 'DONE'), listed(3, 'DONE'), listed(4, 'TIMEOUT')];
    expect(findLost(acked, found)).toEqual([
      'request 2 was acknowledged (201) and is gone',
      'request 3 was created with priority 7, has 4',
      `request 4 was created with deadline ${at(31).toISOString()}, has ${at(30).toISOString()}`,
    ]);
    expect(findLost(acked.slice(0, 1), found)).toEqual([]);
  });

  it('count a worker given to a second request before its first job ended', () => {
    const a = 'a'.repeat(8);
    expect(findOverlappingJobs([job(1, a, 0, 3), job(2, a, 3, 6), job(3, 'b', 1, null)])).toEqual(
      [],
    );
    expect(findOverlappingJobs([job(1, a, 0, 4), job(2, a, 3, null)])).toEqual([
      `worker ${a} ran request 2 while request 1 still ran`,
    ]);
    const started = (id: number, request: string) => ({
      id,
      type: 'job.started',
      aggregateId: request,
      after: { workerUuid: a },
    });
    const ended = (id: number, request: string) => ({
      id,
      type: 'job.ended',
      aggregateId: request,
      after: null,
    });
    expect(findDoubleStartsInAudit([started(1, '1'), ended(2, '1'), started(3, '2')])).toEqual([]);
    expect(findDoubleStartsInAudit([started(1, '1'), started(2, '2'), ended(3, '1')])).toEqual([
      `audit 2: worker ${a} started request 2 while request 1 ran`,
    ]);
  });

  it('count requests left past their deadline or job timeout, and workers left in PREPARE or BUSY', () => {
    const requests = [
      listed(1, 'WAITING', at(10)),
      listed(2, 'IN PROGRESS'),
      listed(3, 'WAITING', at(40)),
    ];
    const overdue = findOverdue(requests, [job(2, 'w', 0, null)], at(20), 3_000);
    expect(overdue.waiting).toEqual([
      `request 1 still WAITING, its deadline ${at(10).toISOString()} passed`,
    ]);
    expect(overdue.inProgress).toEqual([
      `request 2 still IN PROGRESS, its job timed out at ${at(5).toISOString()}`,
    ]);
    expect(findOverdue(requests, [job(2, 'w', 0, null)], at(7), 3_000)).toEqual({
      waiting: [],
      inProgress: [],
    });
    expect(
      findStuckWorkers([
        { WorkerUUID: 'w1', State: 'IDLE' },
        { WorkerUUID: 'w2', State: 'PREPARE' },
        { WorkerUUID: 'w3', State: 'BUSY' },
        { WorkerUUID: 'w4', State: 'RUNNING' },
      ]),
    ).toEqual(['worker w2 stuck in PREPARE', 'worker w3 stuck in BUSY']);
  });
});
