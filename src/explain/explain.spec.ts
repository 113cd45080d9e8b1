import { explain, ExplainedRequest, ExplainedWorker, ExplainInput, RunningJob } from './explain';

const NOW = new Date('2026-12-02T10:00:00.000Z');
const MIN = 60_000;
const at = (minutes: number) => new Date(NOW.getTime() + minutes * MIN);

function request(id: number, overrides: Partial<ExplainedRequest> = {}): ExplainedRequest {
  return {
    id,
    state: 'WAITING',
    priority: 8,
    queueSeq: id,
    validAfter: at(-10),
    deadline: at(600),
    caps: { board: 'rpi4' },
    ownerGroups: [],
    anyGroup: false,
    ...overrides,
  };
}

function worker(uuid: string, overrides: Partial<ExplainedWorker> = {}): ExplainedWorker {
  return {
    uuid,
    state: 'IDLE',
    caps: { UUID: uuid, board: 'rpi4' },
    groups: [],
    idleSince: at(-5),
    failReason: null,
    maintenance: null,
    ...overrides,
  };
}

function job(requestId: number, workerUuid: string, startedMin: number, timeoutMin: number) {
  return { requestId, workerUuid, startedAt: at(startedMin), timeoutAt: at(timeoutMin) };
}

function input(
  mine: ExplainedRequest,
  workers: ExplainedWorker[],
  more: { others?: ExplainedRequest[]; jobs?: RunningJob[]; durations?: number[] } = {},
): ExplainInput {
  return {
    request: mine,
    queue: [mine, ...(more.others ?? [])],
    workers,
    jobs: more.jobs ?? [],
    recentJobDurationsMs: more.durations ?? [],
    jobTimeoutMs: 60 * MIN,
    now: NOW,
  };
}

const order = (message: string, drain = false) => ({
  message,
  drain,
  by: 'user:root',
  at: NOW.toISOString(),
});

describe('explain: one reason per worker', () => {
  it.each<[string, ExplainedWorker, Partial<ExplainInput>, string, string | RegExp]>([
    [
      'running a job',
      worker('w', { state: 'RUNNING' }),
      { jobs: [job(40, 'w', -10, 50)] },
      'running',
      `running request 40 until ${at(50).toISOString()}`,
    ],
    [
      'running a job, drained after it',
      worker('w', { state: 'RUNNING', maintenance: order('SD swap', true) }),
      { jobs: [job(40, 'w', -10, 50)] },
      'running',
      /^running request 40 until .*, then maintenance \(drain\)$/,
    ],
    ['being prepared', worker('w', { state: 'PREPARE' }), {}, 'preparing', /being prepared/],
    [
      'in maintenance',
      worker('w', { state: 'MAINTENANCE', maintenance: order('new SD card') }),
      {},
      'maintenance',
      'in maintenance: new SD card',
    ],
    [
      'in maintenance without an order (a new board)',
      worker('w', { state: 'MAINTENANCE' }),
      {},
      'maintenance',
      'in maintenance: no message',
    ],
    [
      'failed',
      worker('w', { state: 'FAILED', failReason: 'dut does not boot' }),
      {},
      'failed',
      'failed: dut does not boot',
    ],
    ['being taken to maintenance', worker('w', { state: 'BUSY' }), {}, 'busy', /^busy: /],
    [
      'reserved for other groups',
      worker('w', { groups: ['lab-b'] }),
      {},
      'groups',
      'reserved for lab-b',
    ],
    [
      'a cap with another value',
      worker('w', { caps: { UUID: 'w', board: 'rpi3' } }),
      {},
      'cap',
      'cap board is rpi3, asked rpi4',
    ],
    [
      'a cap it does not have',
      worker('w', { caps: { UUID: 'w' } }),
      {},
      'cap',
      'has no cap board, asked rpi4',
    ],
    ['idle: it takes it now', worker('w'), {}, 'idle', 'idle: it takes this request now'],
  ])('%s', (_name, subject, extra, reason, detail) => {
    const e = explain({ ...input(request(1), [subject]), ...extra });
    expect(e.workers).toEqual([{ uuid: 'w', reason, detail: expect.anything() }]);
    if (typeof detail === 'string') expect(e.workers[0].detail).toBe(detail);
    else expect(e.workers[0].detail).toMatch(detail);
  });

  it('a rule of a rich ask that the worker does not meet, in words', () => {
    const rich = request(1, {
      caps: { board: 'rpi4', ram_gb: { min: 8 }, arch: ['arm64', 'armv7'] },
    });
    const small = worker('small', {
      caps: { UUID: 'small', board: 'rpi4', ram_gb: '4', arch: 'arm64' },
    });
    const x86 = worker('x86', { caps: { UUID: 'x86', board: 'rpi4', ram_gb: '16', arch: 'x86' } });
    const e = explain(input(rich, [small, x86]));
    expect(e.workers.map((w) => [w.uuid, w.reason, w.detail])).toEqual([
      ['small', 'cap', 'cap ram_gb is 4, asked ram_gb a number ≥ 8'],
      ['x86', 'cap', 'cap arch is x86, asked arch one of arm64, armv7'],
    ]);
    expect(e.missingCaps).toEqual([]);
  });

  it('ahead: an idle worker an earlier request takes, chosen as the matcher chooses', () => {
    // Request 1 (earlier) takes the least capable worker; 2 gets the other one.
    const small = worker('small');
    const big = worker('big', { caps: { UUID: 'big', board: 'rpi4', extra: 'yes' } });
    const e = explain(input(request(2), [big, small], { others: [request(1)] }));
    expect(e.workers).toEqual([
      { uuid: 'big', reason: 'idle', detail: 'idle: it takes this request now' },
      { uuid: 'small', reason: 'ahead', detail: 'idle, but request 1 ahead of it takes it' },
    ]);
    expect(e.estimatedStart).toEqual(NOW);
    expect(e.summary).toBe('2nd in the queue; worker big is idle and takes it now');
  });

  it('ahead also for a request not ready yet; a later request never takes its worker', () => {
    const mine = request(2, { validAfter: at(30) });
    const e = explain(
      input(mine, [worker('w')], { others: [request(1), request(3, { priority: 9 })] }),
    );
    expect(e.ready).toBe(false);
    expect(e.workers[0]).toMatchObject({ reason: 'ahead', detail: /request 1 ahead/ });
    expect(e.summary).toMatch(/^not ready before 2026-12-02T10:30:00.000Z; 2nd in the queue/);
    expect(e.estimatedStart!.getTime()).toBeGreaterThanOrEqual(at(30).getTime());
  });

  it('an idle worker while the request waits for validAfter', () => {
    const e = explain(input(request(1, { validAfter: at(15) }), [worker('w')]));
    expect(e.workers[0]).toEqual({
      uuid: 'w',
      reason: 'idle',
      detail: `idle: can serve it once it is ready at ${at(15).toISOString()}`,
    });
    expect(e.estimatedStart).toEqual(at(15));
  });
});

describe('explain: the queue, the estimate and the summary', () => {
  it('counts position among ready requests of its priority and overall', () => {
    const others = [
      request(1, { priority: 4 }),
      request(2),
      request(3, { validAfter: at(5) }), // not ready: not counted
      request(5), // behind it
      request(6, { priority: 2, caps: { board: 'other' } }), // any ask counts overall
    ];
    const e = explain(input(request(4), [], { others }));
    expect(e.position).toEqual({ inPriority: 2, overall: 4 });
  });

  it('names the caps no registered worker has', () => {
    const e = explain(
      input(request(1, { caps: { board: 'rpi4', ram_gb: '8' } }), [worker('a'), worker('b')]),
    );
    expect(e.missingCaps).toEqual(['ram_gb=8']);
    expect(e.workers.map((w) => w.detail)).toEqual([
      'has no cap ram_gb, asked 8',
      'has no cap ram_gb, asked 8',
    ]);
    expect(e.estimatedStart).toBeNull();
    expect(e.summary).toBe('no registered worker can serve it: no worker has ram_gb=8');
  });

  it('says rich asks (ranges, any of) in words, with the rule no worker meets', () => {
    const e = explain(
      input(request(1, { caps: { arch: ['arm64', 'armv7'], ram_gb: { min: 8 } } }), [
        worker('a', { caps: { UUID: 'a', arch: 'arm64', ram_gb: '4' } }),
        worker('b', { caps: { UUID: 'b', arch: 'x86', ram_gb: '2' } }),
      ]),
    );
    expect(e.workers.map((w) => w.detail)).toEqual([
      'cap ram_gb is 4, asked ram_gb a number ≥ 8',
      'cap arch is x86, asked arch one of arm64, armv7',
    ]);
    expect(e.missingCaps).toEqual(['ram_gb a number ≥ 8']);
  });

  it('says when the caps exist only apart, or no worker is registered', () => {
    const apart = explain(
      input(request(1, { caps: { board: 'rpi4', arch: 'arm64' } }), [
        worker('a'),
        worker('b', { caps: { UUID: 'b', board: 'rpi3', arch: 'arm64' } }),
      ]),
    );
    expect(apart.missingCaps).toEqual([]);
    expect(apart.summary).toMatch(/no worker has all of its caps in its groups/);
    expect(explain(input(request(1), [])).summary).toBe('no worker is registered');
  });

  it('estimates the start from the median of recent job durations', () => {
    // Both serving workers run jobs; two requests ahead; jobs take 20 min typically.
    const e = explain(
      input(request(3), [worker('a', { state: 'RUNNING' }), worker('b', { state: 'RUNNING' })], {
        others: [request(1), request(2)],
        jobs: [job(10, 'a', -15, 45), job(11, 'b', -5, 55)],
        durations: [10 * MIN, 20 * MIN, 60 * MIN],
      }),
    );
    // a is free at +5, b at +15; request 1 takes a (until +25), 2 takes b (+35): 3 starts at +25.
    expect(e.estimatedStart).toEqual(at(25));
    expect(e.summary).toBe(
      '3rd in the queue; 2 workers could serve it, both busy; estimated start in 25 min',
    );
  });

  it('uses the job timeout without history, and never counts workers out of service', () => {
    const e = explain(
      input(
        request(1),
        [worker('a', { state: 'RUNNING' }), worker('b', { state: 'FAILED', failReason: 'x' })],
        { jobs: [job(9, 'a', -5, 30)] },
      ),
    );
    // The job's own timeout comes before start + 60 min.
    expect(e.estimatedStart).toEqual(at(30));
    expect(e.summary).toBe(
      '1st in the queue; 2 workers could serve it, 1 busy, 1 failed; estimated start in 30 min',
    );
    const out = explain(input(request(1), [worker('b', { state: 'MAINTENANCE' })]));
    expect(out.estimatedStart).toBeNull();
    expect(out.summary).toMatch(
      /1 worker could serve it, it is in maintenance; none of them is in service$/,
    );
  });

  it('explains a request that is not waiting by where it is', () => {
    const e = explain({
      ...input(request(1, { state: 'IN PROGRESS' }), [worker('w', { state: 'RUNNING' })]),
      job: { workerUuid: 'w', timeoutAt: at(30), endedAt: null },
    });
    expect(e).toMatchObject({ workers: [], position: null, ready: false, estimatedStart: null });
    expect(e.summary).toBe(
      `in progress on worker w until ${at(30).toISOString()}; only a WAITING request is explained`,
    );
    expect(explain(input(request(1, { state: 'DONE' }), [])).summary).toMatch(/^DONE: /);
  });
});
