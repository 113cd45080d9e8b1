import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { AgentProcess, startAgentProcess } from './support/agent-process';
import { waitForWorkerState } from './support/fake-agent';
import { rawRequest } from './support/http-client';
import { repoRoot } from './support/repo-root';
import { ServerProcess, startServer } from './support/server-process';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against the
 * real server process and a real simulated fleet: log in, watch a board fail live, file,
 * prolong and close a request, set maintenance and idle as an admin, drain a board under a job,
 * set a board's groups, deregister a board, add a user and a token, revoke a token, delete a
 * user. Leaves a screenshot of the boards page in test-artifacts/boards.png.
 */
const AGENT_TOKEN = 'dashboard-e2e-agent-token';
const ADMIN_TOKEN = 'dashboard-e2e-admin-token-0123456789';
const CHROMIUM = process.env.LESHY_TEST_CHROMIUM ?? '/usr/bin/chromium';
const BOARD = 'dash-sim';
const ARTIFACTS = path.join(repoRoot(), 'test-artifacts');

interface Prolonged {
  job: { prolongCount: number };
}
interface ApiRequest {
  id: number;
  state: string;
  job: { workerUuid: string; prolongCount: number } | null;
}
interface ApiWorker {
  uuid: string;
  state: string;
  groups: string[];
  maintenance: { message: string; drain: boolean } | null;
}

describe('the dashboard in a browser', () => {
  const dir = tempDir('leshy-dashboard-');
  let server: ServerProcess;
  let fleet: AgentProcess;
  let browser: Browser;
  let uuids: string[];
  let testerToken: string;

  const api = async (method: string, route: string, body?: unknown, token = ADMIN_TOKEN) => {
    const response = await rawRequest(server.baseUrl, method, route, {
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status >= 300)
      throw new Error(`${method} ${route}: ${response.status} ${response.body}`);
    return response.body === '' ? null : JSON.parse(response.body);
  };

  /** A fresh browser context (no cookies), logged in with `token` through the login form. */
  const loggedIn = async (token: string): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(server.baseUrl);
    await page.fill('#token', token);
    await page.click('button[type=submit]');
    await page.waitForSelector('header.top');
    return { context, page };
  };
  /** The status of an authenticated call with `token`: 200 while it is good, 401 once not. */
  const whoamiStatus = async (token: string) =>
    (
      await rawRequest(server.baseUrl, 'GET', '/api/v2/whoami', {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).status;
  /** A new user of `role` with one token labelled `label`. */
  const userWithToken = async (name: string, label: string, role = 'tester') => {
    const user = (await api('POST', '/api/v2/users', { name, role })) as { id: number };
    const { secret } = (await api('POST', `/api/v2/users/${user.id}/tokens`, { label })) as {
      secret: string;
    };
    return { id: user.id, secret };
  };
  const board = (page: Page, uuid: string) => page.locator(`article.board[data-uuid="${uuid}"]`);
  const boardIn = (page: Page, uuid: string, state: string) =>
    page.locator(`article.board[data-uuid="${uuid}"][data-state="${state}"]`);
  const worker = async (uuid: string) => (await api('GET', `/api/v2/workers/${uuid}`)) as ApiWorker;

  beforeAll(async () => {
    server = await startServer({
      dataDir: path.join(dir.path, 'server'),
      env: { LESHY_AGENT_TOKEN: AGENT_TOKEN, LESHY_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    fleet = startAgentProcess([
      'fleet',
      '--count',
      '2',
      '--server',
      server.baseUrl,
      '--token',
      AGENT_TOKEN,
      '--caps',
      `board=${BOARD}`,
      '--base-port',
      '0',
      '--data-dir',
      path.join(dir.path, 'fleet'),
    ]);
    [browser] = await Promise.all([
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
      fleet.waitForOutput(/2 boards registered/, 'the fleet to register'),
    ]);
    const workers = (await api('GET', '/api/v1/workers/')) as Array<{ WorkerUUID: string }>;
    uuids = workers.map((w) => w.WorkerUUID).sort();
    expect(uuids).toHaveLength(2);
    for (const uuid of uuids) {
      await api('POST', `/api/v1/workers/${uuid}/setstate`, { WorkerState: 'IDLE' });
      await waitForWorkerState(server.baseUrl, uuid, 'IDLE');
    }
    testerToken = (await userWithToken('tess', 'e2e')).secret;
  });

  afterAll(async () => {
    await browser?.close();
    await fleet?.stop();
    await server?.stop();
    dir.remove();
  });

  it('logs in with a token kept in an HttpOnly cookie only, and shows the boards', async () => {
    const { context, page } = await loggedIn(testerToken);
    await page.waitForSelector(`article.board[data-uuid="${uuids[0]}"][data-state="IDLE"]`);
    expect(await page.locator('article.board').count()).toBe(2);
    // The token is nowhere a script could read it.
    // (Code run in the page is a string: this suite is compiled without the DOM's types.)
    const stored = await page.evaluate<string>(
      'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })',
    );
    expect(stored).not.toContain(testerToken);
    expect(stored).not.toContain('leshy_session');
    const cookie = (await context.cookies()).find((c) => c.name === 'leshy_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await context.close();
  });

  it('shows a board failing live when its agent reports a failure, without a reload', async () => {
    const { context, page } = await loggedIn(testerToken);
    const failing = board(page, uuids[0]);
    await failing.and(page.locator('[data-state="IDLE"]')).waitFor();
    await page.waitForSelector('.live.on');
    // A marker in the page's memory: a reload would lose it.
    await page.evaluate('window.marker = 42');
    await api(
      'POST',
      `/api/v2/agents/${uuids[0]}/fail`,
      { reason: 'dut does not boot' },
      AGENT_TOKEN,
    );
    await page.locator(`article.board[data-uuid="${uuids[0]}"][data-state="FAILED"]`).waitFor();
    expect(await failing.locator('.fail-reason').textContent()).toContain('dut does not boot');
    expect(await page.evaluate<number>('window.marker')).toBe(42);
    await context.close();
  });

  it('files a request, prolongs its job and closes it', async () => {
    const { context, page } = await loggedIn(testerToken);
    await page.goto(`${server.baseUrl}/#/mine`);
    await page.fill('input[name=caps]', `board=${BOARD}`);
    await page.click('form.file-request button[type=submit]');
    const filed = await page.locator('form.file-request .ok a').textContent();
    const id = Number(filed!.replace('#', ''));
    expect(id).toBeGreaterThan(0);
    const item = page.locator(`.requests li[data-request="${id}"]`);
    await item.and(page.locator('[data-state="IN PROGRESS"]')).waitFor();
    await item.locator('button', { hasText: 'Prolong' }).click();
    await waitFor(
      async () =>
        ((await api('GET', `/api/v2/requests/${id}`)) as Prolonged).job.prolongCount === 1,
      'the job to be prolonged',
    );
    expect(await item.locator('.error').count()).toBe(0);
    await item.locator('button', { hasText: 'Close' }).click();
    await page.locator(`.requests li[data-request="${id}"][data-state="DONE"]`).waitFor();
    await context.close();
  });

  it('lets an admin set maintenance with a message, and saves a screenshot of the boards', async () => {
    const { context, page } = await loggedIn(ADMIN_TOKEN);
    const card = board(page, uuids[1]);
    // Back from the closed job (PREPARE, then IDLE).
    await page.locator(`article.board[data-uuid="${uuids[1]}"][data-state="IDLE"]`).waitFor();
    await card.locator('summary').click();
    await card.locator('input[aria-label="Maintenance message"]').fill('new SD card');
    await card.locator('button', { hasText: 'Maintenance' }).click();
    await page
      .locator(`article.board[data-uuid="${uuids[1]}"][data-state="MAINTENANCE"]`)
      .waitFor();
    expect(await card.locator('.maintenance-message').textContent()).toContain('new SD card');
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, 'boards.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`boards page screenshot: ${shot}`);
    // Back to service: the failed board leaves FAILED (health check, then IDLE).
    const failed = board(page, uuids[0]);
    await failed.locator('summary').click();
    await failed.locator('button', { hasText: 'Set idle' }).click();
    await page.locator(`article.board[data-uuid="${uuids[0]}"][data-state="IDLE"]`).waitFor();
    await context.close();
  });

  it('lets an admin set a board in maintenance idle again', async () => {
    const { context, page } = await loggedIn(ADMIN_TOKEN);
    const card = board(page, uuids[1]);
    // In maintenance since the case before.
    await boardIn(page, uuids[1], 'MAINTENANCE').waitFor();
    await card.locator('summary').click();
    await card.locator('button', { hasText: 'Set idle' }).click();
    // Through PREPARE (the agent prepares the board) to IDLE, shown live.
    await boardIn(page, uuids[1], 'IDLE').waitFor();
    expect(await card.locator('.maintenance-message').count()).toBe(0);
    await waitFor(
      async () => (await worker(uuids[1])).state === 'IDLE',
      'the board to be IDLE in the API',
    );
    expect((await worker(uuids[1])).maintenance).toBeNull();
    expect(await card.locator('.action .error').count()).toBe(0);
    await context.close();
  });

  // The board the next cases work on: drained here, then given groups and deregistered.
  let drained: string;

  it('lets an admin drain a board: its job runs on, and the board goes to MAINTENANCE when it ends', async () => {
    const { context, page } = await loggedIn(ADMIN_TOKEN);
    const filed = (await api(
      'POST',
      '/api/v2/requests',
      { caps: { board: BOARD } },
      testerToken,
    )) as ApiRequest;
    const running = (await api(
      'GET',
      `/api/v2/requests/${filed.id}?waitFor=${encodeURIComponent('IN PROGRESS')}&timeout=30s`,
      undefined,
      testerToken,
    )) as ApiRequest;
    expect(running.state).toBe('IN PROGRESS');
    drained = running.job!.workerUuid;
    const card = board(page, drained);
    await boardIn(page, drained, 'RUNNING').waitFor();
    await page.waitForSelector('.live.on');
    // A marker in the page's memory: a reload would lose it.
    await page.evaluate('window.marker = 7');
    await card.locator('summary').click();
    await card.locator('input[aria-label="Maintenance message"]').fill('reflash after this job');
    await card.getByRole('checkbox', { name: 'drain' }).check();
    await card.locator('button', { hasText: 'Maintenance' }).click();
    // The order is on the board, which still runs its job.
    await card.locator('.maintenance-message', { hasText: '(draining)' }).waitFor();
    expect(await card.getAttribute('data-state')).toBe('RUNNING');
    const ordered = await worker(drained);
    expect(ordered).toMatchObject({
      state: 'RUNNING',
      maintenance: { message: 'reflash after this job', drain: true },
    });
    // Not failed (maintenance without drain would have failed it at once): the job is alive,
    // its owner can still prolong it.
    expect(
      ((await api('GET', `/api/v2/requests/${filed.id}`, undefined, testerToken)) as ApiRequest)
        .state,
    ).toBe('IN PROGRESS');
    const prolonged = (await api(
      'POST',
      `/api/v2/requests/${filed.id}/prolong`,
      undefined,
      testerToken,
    )) as ApiRequest;
    expect(prolonged).toMatchObject({ state: 'IN PROGRESS', job: { prolongCount: 1 } });
    // The owner closes the job (through the API, not this page): the page shows the board in
    // MAINTENANCE from the event stream.
    await api('POST', `/api/v2/requests/${filed.id}/close`, undefined, testerToken);
    await boardIn(page, drained, 'MAINTENANCE').waitFor();
    expect(await card.locator('.maintenance-message').textContent()).toContain(
      'reflash after this job',
    );
    expect(await page.evaluate<number>('window.marker')).toBe(7);
    expect(
      ((await api('GET', `/api/v2/requests/${filed.id}`, undefined, testerToken)) as ApiRequest)
        .state,
    ).toBe('DONE');
    expect((await worker(drained)).state).toBe('MAINTENANCE');
    await context.close();
  });

  it("lets an admin set a board's groups", async () => {
    const { context, page } = await loggedIn(ADMIN_TOKEN);
    const card = board(page, drained);
    await boardIn(page, drained, 'MAINTENANCE').waitFor();
    expect(await card.locator('dd.groups').textContent()).toBe('none');
    await card.locator('summary').click();
    await card.locator('input[aria-label="Groups"]').fill('lab-a, lab-b');
    await card.locator('button', { hasText: 'Set groups' }).click();
    await card.locator('dd.groups', { hasText: 'lab-a, lab-b' }).waitFor();
    expect((await worker(drained)).groups).toEqual(['lab-a', 'lab-b']);
    // Another page sees them too, from the server.
    await page.reload();
    await card.locator('dd.groups', { hasText: 'lab-a, lab-b' }).waitFor();
    // Changed elsewhere (here through the API): the card and the admin's field follow, so a
    // "Set groups" from this page would not put the old ones back.
    await api('PUT', `/api/v2/workers/${drained}/groups`, { groups: ['lab-c'] });
    await card.locator('dd.groups', { hasText: 'lab-c' }).waitFor();
    await card.locator('summary').click();
    const field = card.locator('input[aria-label="Groups"]');
    await waitFor(async () => (await field.inputValue()) === 'lab-c', 'the groups field to follow');
    await context.close();
  });

  it('lets an admin deregister a board in maintenance', async () => {
    const { context, page } = await loggedIn(ADMIN_TOKEN);
    const card = board(page, drained);
    await boardIn(page, drained, 'MAINTENANCE').waitFor();
    expect(await page.locator('article.board').count()).toBe(2);
    await card.locator('summary').click();
    // The page asks to confirm; loggedIn() accepts every dialog.
    await card.locator('button', { hasText: 'Deregister' }).click();
    await card.waitFor({ state: 'detached' });
    expect(await page.locator('article.board').count()).toBe(1);
    const listed = (await api('GET', '/api/v2/workers')) as { items: ApiWorker[] };
    expect(listed.items.map((w) => w.uuid)).not.toContain(drained);
    expect(listed.items).toHaveLength(1);
    const gone = await rawRequest(server.baseUrl, 'GET', `/api/v2/workers/${drained}`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(gone.status).toBe(404);
    await context.close();
  });

  it('lets an admin add a user and issue a token, shown once', async () => {
    const { context, page } = await loggedIn(ADMIN_TOKEN);
    await page.goto(`${server.baseUrl}/#/users`);
    await page.fill('input[aria-label="User name"]', 'newbie');
    await page.click('button:has-text("Add user")');
    const card = page.locator('article.user[data-user="newbie"]');
    await card.locator('input[aria-label="Token label"]').fill('laptop');
    await card.locator('button', { hasText: 'Issue token' }).click();
    const secret = (await card.locator('.secret code').textContent())!;
    expect(secret).toMatch(/^lsy_/);
    const whoami = (await api('GET', '/api/v2/whoami', undefined, secret)) as { name: string };
    expect(whoami.name).toBe('user:newbie');
    await context.close();
  });

  it("lets an admin revoke a user's token", async () => {
    const { secret } = await userWithToken('revokee', 'phone');
    expect(await whoamiStatus(secret)).toBe(200);
    const { context, page } = await loggedIn(ADMIN_TOKEN);
    await page.goto(`${server.baseUrl}/#/users`);
    const token = page.locator('article.user[data-user="revokee"] li[data-token="phone"]');
    await token.locator('button', { hasText: 'Revoke' }).click();
    await token.locator('.revoked').waitFor();
    expect(await token.locator('button', { hasText: 'Revoke' }).count()).toBe(0);
    expect(await whoamiStatus(secret)).toBe(401);
    await context.close();
  });

  it('lets an admin delete a user', async () => {
    const { id, secret } = await userWithToken('leaver', 'desk');
    expect(await whoamiStatus(secret)).toBe(200);
    const { context, page } = await loggedIn(ADMIN_TOKEN);
    await page.goto(`${server.baseUrl}/#/users`);
    const card = page.locator('article.user[data-user="leaver"]');
    await card.locator('button', { hasText: 'Delete' }).click();
    await card.waitFor({ state: 'detached' });
    // The other users are still listed.
    await page.locator('article.user[data-user="tess"]').waitFor();
    const users = (await api('GET', '/api/v2/users')) as Array<{ id: number; name: string }>;
    expect(users.map((u) => u.name)).not.toContain('leaver');
    expect(users.map((u) => u.name)).toContain('tess');
    expect(
      (
        await rawRequest(server.baseUrl, 'GET', `/api/v2/users/${id}`, {
          headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
        })
      ).status,
    ).toBe(404);
    expect(await whoamiStatus(secret)).toBe(401);
    await context.close();
  });
});
