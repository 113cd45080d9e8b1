import { systemActor } from '../src/auth/actor';
import { SESSION_LIFETIME_MS } from '../src/auth/sessions.service';
import { TokensService } from '../src/auth/tokens.service';
import { UsersService } from '../src/auth/users.service';
import { rawRequest, RawResponse } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';

const JSON_BODY = { 'Content-Type': 'application/json' };
const DASHBOARD = { 'X-Leshy-Request': '1' };

/** The `name=value` of the session cookie a login answered. */
function sessionCookieOf(response: RawResponse): string {
  const set = response.header('set-cookie') ?? '';
  const match = /leshy_session=([^;]+)/.exec(set);
  if (!match) throw new Error(`no session cookie in ${JSON.stringify(set)}`);
  return `leshy_session=${match[1]}`;
}

/** The dashboard's session routes over real HTTP: cookie, CSRF header, logout, revocation. */
describe('dashboard sessions', () => {
  const dir = tempDir();
  let t: TestApp;
  let base: string;
  let tester: string;
  let admin: string;
  let agent: string;

  const start = async () => {
    t = await startTestApp({ dataDir: dir.path, http: true });
    base = await t.app.getUrl();
  };
  const login = (token: string) =>
    rawRequest(base, 'POST', '/api/v2/session', {
      headers: JSON_BODY,
      body: JSON.stringify({ token }),
    });
  const withCookie = (
    cookie: string,
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: unknown } = {},
  ) =>
    rawRequest(base, method, path, {
      headers: {
        Cookie: cookie,
        ...(options.body === undefined ? {} : JSON_BODY),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });

  beforeAll(async () => {
    await start();
    const system = systemActor('sessions');
    const users = t.app.get(UsersService);
    const tokens = t.app.get(TokensService);
    const alice = await users.create(system, { name: 'alice', role: 'tester' });
    const root = await users.create(system, { name: 'root', role: 'admin' });
    tester = (await tokens.issueUserToken(system, alice.id, { label: 'alice' })).secret;
    admin = (await tokens.issueUserToken(system, root.id, { label: 'root' })).secret;
    agent = (await tokens.issueAgentToken(system, null, { label: 'board' })).secret;
  });
  afterAll(async () => {
    await t?.close();
    dir.remove();
  });

  it('logs in with a token: an HttpOnly, SameSite=Strict cookie that is not the token', async () => {
    const response = await login(tester);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ name: 'user:alice', role: 'tester' });
    const set = response.header('set-cookie')!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Strict/i);
    expect(set).toMatch(/Path=\//);
    expect(set).toMatch(/Expires=/);
    expect(set).not.toContain(tester);
    expect(response.body).not.toContain(tester);
    const cookie = sessionCookieOf(response);
    const session = await withCookie(cookie, 'GET', '/api/v2/session');
    expect(session.status).toBe(200);
    expect(JSON.parse(session.body)).toMatchObject({ name: 'user:alice' });
    expect((await withCookie(cookie, 'GET', '/api/v2/whoami')).status).toBe(200);
  });

  it('refuses a bad token (401) and an agent token (403), and sets no cookie', async () => {
    const bad = await login('lsy_not-a-token-of-this-server-at-all-000000');
    expect(bad.status).toBe(401);
    expect(bad.header('set-cookie')).toBeUndefined();
    const agents = await login(agent);
    expect(agents.status).toBe(403);
    expect(agents.body).toContain('only a user token');
    expect(agents.header('set-cookie')).toBeUndefined();
    expect((await login('')).status).toBe(400);
  });

  it('needs X-Leshy-Request: 1 on a cookie call that changes something, not on a bearer call', async () => {
    const cookie = sessionCookieOf(await login(admin));
    const body = { name: 'carol', role: 'tester' };
    const refused = await withCookie(cookie, 'POST', '/api/v2/users', { body });
    expect(refused.status).toBe(403);
    expect(refused.header('content-type')).toContain('application/problem+json');
    expect(refused.body).toContain('X-Leshy-Request: 1');
    const made = await withCookie(cookie, 'POST', '/api/v2/users', { body, headers: DASHBOARD });
    expect(made.status).toBe(201);
    // Reads need no header; a bearer token needs none either (CLIs and CI).
    expect((await withCookie(cookie, 'GET', '/api/v2/users')).status).toBe(200);
    const bearer = await rawRequest(base, 'POST', '/api/v2/users', {
      headers: { ...JSON_BODY, Authorization: `Bearer ${admin}` },
      body: JSON.stringify({ name: 'dave', role: 'tester' }),
    });
    expect(bearer.status).toBe(201);
  });

  it('acts with the role of its token: a tester session may not call admin routes', async () => {
    const cookie = sessionCookieOf(await login(tester));
    expect((await withCookie(cookie, 'GET', '/api/v2/users')).status).toBe(403);
  });

  it('is not a credential on API v1 (upstream clients send their token)', async () => {
    const cookie = sessionCookieOf(await login(admin));
    const v1 = await withCookie(cookie, 'POST', '/api/v1/workers/list', { body: {} });
    // LESHY_V1_ANONYMOUS_ROLE is tester by default: the call is anonymous, not the admin's.
    expect(v1.status).toBe(200);
    const setstate = await withCookie(cookie, 'POST', '/api/v1/workers/x/setstate', {
      body: { WorkerState: 'IDLE' },
      headers: DASHBOARD,
    });
    expect(setstate.status).toBe(403);
  });

  it('logs out: the cookie is cleared and the old value opens nothing any more', async () => {
    const cookie = sessionCookieOf(await login(tester));
    const refused = await withCookie(cookie, 'DELETE', '/api/v2/session');
    expect(refused.status).toBe(403);
    const out = await withCookie(cookie, 'DELETE', '/api/v2/session', { headers: DASHBOARD });
    expect(out.status).toBe(204);
    expect(out.header('set-cookie')).toMatch(/leshy_session=;.*Expires=Thu, 01 Jan 1970/);
    const after = await withCookie(cookie, 'GET', '/api/v2/session');
    expect(after.status).toBe(401);
    expect(after.body).toContain('log in again');
    // Logging out without a session is no error.
    expect((await rawRequest(base, 'DELETE', '/api/v2/session')).status).toBe(204);
  });

  it('ends when its token is revoked', async () => {
    const tokens = t.app.get(TokensService);
    const users = t.app.get(UsersService);
    const system = systemActor('sessions');
    const erin = await users.create(system, { name: 'erin', role: 'tester' });
    const issued = await tokens.issueUserToken(system, erin.id, { label: 'erin' });
    const cookie = sessionCookieOf(await login(issued.secret));
    expect((await withCookie(cookie, 'GET', '/api/v2/session')).status).toBe(200);
    await tokens.revoke(system, issued.token.id);
    const after = await withCookie(cookie, 'GET', '/api/v2/session');
    expect(after.status).toBe(401);
    expect(after.body).toContain('revoked');
  });

  it('survives a restart of the server, and expires after its lifetime', async () => {
    const cookie = sessionCookieOf(await login(admin));
    await t.close();
    await start();
    const again = await withCookie(cookie, 'GET', '/api/v2/session');
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ name: 'user:root', userId: expect.any(Number) });
    t.clock.jump(SESSION_LIFETIME_MS + 1000);
    const expired = await withCookie(cookie, 'GET', '/api/v2/session');
    expect(expired.status).toBe(401);
    expect(expired.body).toContain('expired');
    // The token itself still works: only the session ended.
    expect(sessionCookieOf(await login(admin))).toMatch(/^leshy_session=/);
  });

  it('never outlives a token that expires sooner', async () => {
    const tokens = t.app.get(TokensService);
    const users = t.app.get(UsersService);
    const system = systemActor('sessions');
    const fred = await users.create(system, { name: 'fred', role: 'tester' });
    const issued = await tokens.issueUserToken(system, fred.id, {
      label: 'short',
      expiresAt: new Date(t.clock.now().getTime() + 60_000),
    });
    const response = await login(issued.secret);
    expect(JSON.parse(response.body).expiresAt).toBe(
      new Date(t.clock.now().getTime() + 60_000).toISOString(),
    );
    t.clock.jump(61_000);
    expect((await withCookie(sessionCookieOf(response), 'GET', '/api/v2/session')).status).toBe(
      401,
    );
  });
});
