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
 * prolong and close a request, set maintenance and idle as an admin, add a user and a token.
 * Leaves a screenshot of the boards page in test-artifacts/boards.png.
 */
const AGENT_TOKEN = 'dashboard-e2e-agent-token';
const ADMIN_TOKEN = 'dashboard-e2e-admin-token-0123456789';
const CHROMIUM = process.env.LESHY_TEST_CHROMIUM ?? '/usr/bin/chromium';
const BOARD = 'dash-sim';
const ARTIFACTS = path.join(repoRoot(), 'test-artifacts');

interface Prolonged {
  job: { prolongCount: number };
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
  const board = (page: Page, uuid: string) => page.locator(`article.board[data-uuid="${uuid}"]`);

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
    const tester = (await api('POST', '/api/v2/users', { name: 'tess', role: 'tester' })) as {
      id: number;
    };
    testerToken = (
      (await api('POST', `/api/v2/users/${tester.id}/tokens`, { label: 'e2e' })) as {
        secret: string;
      }
    ).secret;
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
});
