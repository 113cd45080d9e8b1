import { randomUUID } from 'node:crypto';
import { requestInput } from './factories/request.factory';
import { workerRegistration } from './factories/worker.factory';
import { FakeAgent, waitForWorkerState } from './support/fake-agent';
import { rawRequest, v1Json } from './support/http-client';
import { parseExposition, Scrape } from './support/prometheus-text';
import { scratchPostgres } from './support/scratch-postgres';
import { SshTestApp, startSshTestApp, startTestApp, TestApp } from './support/test-app';
import { AGENT, TESTER } from './support/actors';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

/**
 * `/metrics` of a whole server in-process (real SQLite file, real HTTP, agents over real SSH,
 * fresh job keys), scraped as Prometheus would, while a request goes through its life.
 */
const TOKEN = 'metrics-int-token';
const BOARD = 'metrics-board';

describe('/metrics', () => {
  const dir = tempDir();
  const agents: FakeAgent[] = [];
  let t: SshTestApp;

  beforeAll(async () => {
    t = await startSshTestApp({
      dataDir: dir.path,
      env: {
        LESHY_AGENT_TOKEN: TOKEN,
        LESHY_DRYAD_TIMEOUT: '5s',
        LESHY_V1_ANONYMOUS_ROLE: 'admin',
      },
      freshKeys: true,
    });
  });
  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await t.close();
    dir.remove();
  });

  async function scrape(): Promise<Scrape> {
    const response = await rawRequest(t.baseUrl, 'GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.header('Content-Type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return new Scrape(parseExposition(response.body));
  }

  async function agent(board: string): Promise<FakeAgent> {
    const started = await FakeAgent.start({
      serverUrl: t.baseUrl,
      agentToken: TOKEN,
      uuid: randomUUID(),
      caps: { board },
    });
    agents.push(started);
    await started.register();
    return started;
  }

  it('follows a request from WAITING through IN PROGRESS to DONE', async () => {
    const before = await scrape();
    const requestSeries = { state: 'WAITING', priority: '3' };
    expect(before.value('leshy_requests', requestSeries)).toBe(0);

    const board = await agent(BOARD);
    const registered = await scrape();
    expect(registered.value('leshy_workers', { state: 'MAINTENANCE', board_class: BOARD })).toBe(1);
    expect(registered.value('leshy_workers', { state: 'IDLE', board_class: BOARD })).toBe(0);

    const created = await v1Json(t.baseUrl, 'POST', '/api/v1/reqs/', {
      Priority: 3,
      Caps: { board: BOARD },
    });
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.body) as { ReqID: number }).ReqID;
    const waiting = await scrape();
    expect(waiting.value('leshy_requests', requestSeries)).toBe(1);
    expect(waiting.value('leshy_queue_depth', { board_class: BOARD })).toBe(1);
    expect(waiting.value('leshy_queue_depth', { board_class: '(other)' })).toBe(0);

    // It waits 90 s (domain time) until its board is set IDLE, prepared and matched to it.
    t.clock.advance(90_000);
    const set = await v1Json(t.baseUrl, 'POST', `/api/v1/workers/${board.uuid}/setstate`, {
      WorkerState: 'IDLE',
    });
    expect(set.status).toBe(204);
    await waitForWorkerState(t.baseUrl, board.uuid, 'RUNNING');
    await t.settle();
    const running = await scrape();
    expect(running.value('leshy_requests', requestSeries)).toBe(0);
    expect(running.value('leshy_queue_depth', { board_class: BOARD })).toBe(0);
    expect(running.value('leshy_workers', { state: 'RUNNING', board_class: BOARD })).toBe(1);
    const wait = { board_class: BOARD };
    expect(running.value('leshy_request_wait_seconds_count', wait)).toBe(1);
    expect(running.value('leshy_request_wait_seconds_sum', wait)).toBe(90);
    expect(running.value('leshy_request_wait_seconds_bucket', { ...wait, le: '60' })).toBe(0);
    expect(running.value('leshy_request_wait_seconds_bucket', { ...wait, le: '120' })).toBe(1);
    const prepared = { operation: 'prepare', outcome: 'ok' };
    expect(running.value('leshy_agent_operation_duration_seconds_count', prepared)).toBe(1);
    expect(running.value('leshy_agent_operation_duration_seconds_sum', prepared)).toBeGreaterThan(
      0,
    );
    expect(running.value('leshy_agent_operation_failures_total', { operation: 'prepare' })).toBe(0);

    // The tester holds the board for 700 s, then closes the request: DONE, board prepared again.
    t.clock.advance(700_000);
    expect((await v1Json(t.baseUrl, 'POST', `/api/v1/reqs/${id}/close`)).status).toBe(204);
    await waitForWorkerState(t.baseUrl, board.uuid, 'IDLE');
    await t.settle();
    const done = await scrape();
    expect(done.value('leshy_requests', { state: 'IN PROGRESS', priority: '3' })).toBe(0);
    expect(done.value('leshy_requests_ended_total', { state: 'DONE', priority: '3' })).toBe(1);
    expect(done.value('leshy_requests_ended_total', { state: 'FAILED', priority: '3' })).toBe(0);
    const job = { board_class: BOARD, outcome: 'DONE' };
    expect(done.value('leshy_job_duration_seconds_count', job)).toBe(1);
    expect(done.value('leshy_job_duration_seconds_sum', job)).toBe(700);
    expect(done.value('leshy_job_duration_seconds_bucket', { ...job, le: '600' })).toBe(0);
    expect(done.value('leshy_job_duration_seconds_bucket', { ...job, le: '1800' })).toBe(1);
    expect(done.value('leshy_agent_operation_duration_seconds_count', prepared)).toBe(2);
    expect(done.value('leshy_workers', { state: 'IDLE', board_class: BOARD })).toBe(1);

    // API v1 counted by route template: the request's id is not in the label.
    const http = (method: string, route: string, status: string) =>
      done.value('leshy_http_requests_total', { method, route, status });
    expect(http('POST', '/api/v1/reqs/', '201')).toBe(1);
    expect(http('POST', '/api/v1/reqs/:id/close', '204')).toBe(1);
    expect(http('GET', '/api/v1/workers/:id', '200')).toBeGreaterThan(0);
    // The four scrapes before this one (a scrape is counted once its answer is sent).
    expect(http('GET', '/metrics', '200')).toBe(4);
  });

  it('counts a failed agent operation by its kind', async () => {
    const gone = await agent('unreachable-board');
    await gone.stop(); // registered, then its SSH server goes away
    const before = await scrape();
    const failures = { operation: 'prepare' };
    const failed = before.value('leshy_agent_operation_failures_total', failures);
    const set = await v1Json(t.baseUrl, 'POST', `/api/v1/workers/${gone.uuid}/setstate`, {
      WorkerState: 'IDLE',
    });
    expect(set.status).toBe(204);
    await waitForWorkerState(t.baseUrl, gone.uuid, 'FAILED');
    const after = await scrape();
    expect(after.value('leshy_agent_operation_failures_total', failures)).toBe(failed + 1);
    expect(
      after.value('leshy_agent_operation_duration_seconds_count', {
        operation: 'prepare',
        outcome: 'failed',
      }),
    ).toBe(1);
    expect(
      after.value('leshy_workers', { state: 'FAILED', board_class: 'unreachable-board' }),
    ).toBe(1);
  });

  it('keeps one route label for every unknown path, under API v1 and elsewhere', async () => {
    const unmatched = (s: Scrape) =>
      s.valueOrZero('leshy_http_requests_total', {
        method: 'GET',
        route: '(unmatched)',
        status: '404',
      });
    const before = await scrape();
    const paths = Array.from({ length: 40 }, (_, i) => [
      `/api/v1/no-such-${i}`,
      `/no-such-${i}/${randomUUID()}`,
    ]).flat();
    for (const path of paths) expect((await rawRequest(t.baseUrl, 'GET', path)).status).toBe(404);
    const after = await scrape();
    expect(unmatched(after) - unmatched(before)).toBe(paths.length);
    const routes = new Set(
      [
        ...after.all('leshy_http_requests_total'),
        ...after.all('leshy_http_request_duration_seconds_count'),
      ].map((s) => s.labels.route),
    );
    expect([...routes].filter((route) => route.includes('no-such'))).toEqual([]);
    // A redirect (upstream's version-less /api path) is not a route of its own either.
    expect((await rawRequest(t.baseUrl, 'GET', '/api/reqs/')).status).toBe(308);
    expect(
      (await scrape()).value('leshy_http_requests_total', {
        method: 'GET',
        route: '(unmatched)',
        status: '308',
      }),
    ).toBe(1);
  });

  it('shows the key pool level and the event-loop lag', async () => {
    await waitFor(
      async () => (await scrape()).value('leshy_job_key_pool_ready') === 2,
      'the key pool to be full again',
      60_000,
    );
    const s = await scrape();
    expect(s.value('leshy_job_key_pool_target')).toBe(2);
    expect(s.value('leshy_job_key_generator_threads')).toBeGreaterThan(0);
    expect(s.value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(s.value('leshy_metrics_collection_errors_total', { collector: 'requests' })).toBe(0);
  });
});

describe.each([
  ['SQLite', null],
  ['PostgreSQL', scratchPostgres],
] as const)('/metrics counting the queue by board class on %s', (_, database) => {
  const dir = tempDir();
  let scratch: Awaited<ReturnType<typeof scratchPostgres>> | undefined;
  let t: TestApp;

  beforeAll(async () => {
    scratch = database ? await database() : undefined;
    const env = scratch
      ? { LESHY_DATABASE_URL: scratch.url, LESHY_SECRET: 'metrics-int-secret' }
      : {};
    t = await startTestApp({ dataDir: dir.path, env, http: true });
  });
  afterAll(async () => {
    await t?.close();
    await scratch?.drop();
    dir.remove();
  });

  it('labels the classes of registered workers, and (other) and (any) for the rest', async () => {
    await t.workers.register(workerRegistration({ caps: { board: 'class-a' } }), AGENT);
    const asks: Array<Record<string, string>> = [
      { board: 'class-a' },
      { board: 'class-a' },
      { board: 'unheard-of' },
      { arch: 'arm64' },
    ];
    for (const caps of asks) await t.requests.create(requestInput({ caps, priority: 5 }), TESTER);
    const response = await rawRequest(await t.app.getUrl(), 'GET', '/metrics');
    const s = new Scrape(parseExposition(response.body));
    expect(
      s
        .all('leshy_queue_depth')
        .map((q) => [q.labels.board_class, q.value])
        .sort(),
    ).toEqual([
      ['(any)', 1],
      ['(other)', 1],
      ['class-a', 2],
    ]);
    expect(s.value('leshy_requests', { state: 'WAITING', priority: '5' })).toBe(4);
    expect(s.value('leshy_workers', { state: 'MAINTENANCE', board_class: 'class-a' })).toBe(1);
    expect(s.value('leshy_metrics_collection_errors_total', { collector: 'queue_depth' })).toBe(0);
  });
});
