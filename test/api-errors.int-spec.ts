import { rawRequest } from './support/http-client';
import { startTestApp, TestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';

/** No error escapes its API's format: problem+json on v2 (and elsewhere), upstream's on v1. */
describe('error formats of both APIs', () => {
  const dir = tempDir();
  let t: TestApp;
  let baseUrl: string;
  const ENROLLMENT = 'enrollment-token-of-the-error-suite';

  beforeAll(async () => {
    t = await startTestApp({
      dataDir: dir.path,
      http: true,
      env: { LESHY_AGENT_TOKEN: ENROLLMENT, LESHY_V1_ANONYMOUS_ROLE: 'none' },
    });
    baseUrl = await t.app.getUrl();
  });
  afterAll(async () => {
    await t?.close();
    dir.remove();
  });

  const problem = (body: string) =>
    JSON.parse(body) as { status: number; code: string; detail: string };
  const post = (path: string, body: string, token = ENROLLMENT) =>
    rawRequest(baseUrl, 'POST', path, {
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body,
    });

  it('answers malformed JSON on v2 with problem+json 400', async () => {
    for (const body of ['{"uuid":', '"a string"', "{'single': 'quotes'}"]) {
      const response = await post('/api/v2/agents/register', body);
      expect(response.status).toBe(400);
      expect(response.header('Content-Type')).toMatch(/^application\/problem\+json/);
      expect(problem(response.body)).toMatchObject({ status: 400, code: 'malformed-body' });
      expect(problem(response.body).detail).toMatch(/^the body is not valid JSON: /);
    }
  });

  it('answers malformed JSON to an unknown /api/v2 path, and a badly encoded path, with problem+json', async () => {
    const unknown = await post('/api/v2/nothing-here', '{bad');
    expect(unknown.header('Content-Type')).toMatch(/^application\/problem\+json/);
    expect(problem(unknown.body).status).toBe(400);
    const encoded = await rawRequest(baseUrl, 'GET', '/api/v2/users/%E0%A4%A', {
      headers: { Authorization: `Bearer ${ENROLLMENT}` },
    });
    expect(encoded.status).toBe(400);
    expect(encoded.header('Content-Type')).toMatch(/^application\/problem\+json/);
    expect(problem(encoded.body).detail).toContain('%E0%A4%A');
  });

  it('answers a body in a charset it cannot read with problem+json 415', async () => {
    const response = await rawRequest(baseUrl, 'POST', '/api/v2/agents/register', {
      headers: {
        'Content-Type': 'application/json; charset=latin-9',
        Authorization: `Bearer ${ENROLLMENT}`,
      },
      body: '{}',
    });
    expect(response.status).toBe(415);
    expect(response.header('Content-Type')).toMatch(/^application\/problem\+json/);
    expect(problem(response.body)).toMatchObject({ status: 415, code: 'unsupported-media-type' });
  });

  it('answers unknown /api/v2 paths with problem+json 404', async () => {
    const response = await rawRequest(baseUrl, 'GET', '/api/v2/no-such-thing');
    expect(response.status).toBe(404);
    expect(response.header('Content-Type')).toMatch(/^application\/problem\+json/);
    expect(problem(response.body)).toMatchObject({ status: 404, code: 'not-found' });
    expect(problem(response.body).detail).toBe(
      'no route GET /api/v2/no-such-thing on this server: the routes of API v2 are listed at /api/docs',
    );
    const wrongMethod = await rawRequest(baseUrl, 'DELETE', '/api/v2/whoami');
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.header('Content-Type')).toMatch(/^application\/problem\+json/);
  });

  it('answers a body over the limit with problem+json 413', async () => {
    const huge = JSON.stringify({ reason: 'x'.repeat(2_000_000) });
    const response = await post('/api/v2/agents/00000000-0000-4000-8000-000000000000/fail', huge);
    expect(response.status).toBe(413);
    expect(response.header('Content-Type')).toMatch(/^application\/problem\+json/);
    expect(problem(response.body)).toMatchObject({ status: 413, code: 'body-too-large' });
    expect(problem(response.body).detail).toMatch(
      /^the body is larger than this server reads \(\d+ bytes at most\)$/,
    );
  });

  it('answers DTO violations with problem+json 400 listing them', async () => {
    const response = await post('/api/v2/agents/register', '{"uuid":"nope","extra":1}');
    expect(response.status).toBe(400);
    const body = problem(response.body) as ReturnType<typeof problem> & { errors: string[] };
    expect(body.code).toBe('invalid-input');
    expect(body.errors).toEqual(expect.arrayContaining(['property extra should not exist']));
  });

  it('answers a missing or bad token on v2 with problem+json 401 and WWW-Authenticate', async () => {
    for (const headers of [
      {},
      { Authorization: 'Bearer lsy_unknown' },
      { Authorization: 'Basic eDp5' },
    ] as Array<Record<string, string>>) {
      const response = await rawRequest(baseUrl, 'GET', '/api/v2/whoami', { headers });
      expect(response.status).toBe(401);
      expect(response.header('Content-Type')).toMatch(/^application\/problem\+json/);
      expect(response.header('WWW-Authenticate')).toBe('Bearer realm="leshy"');
      expect(problem(response.body).code).toBe('not-authenticated');
    }
  });

  it("answers v1 401s in upstream's error shape", async () => {
    const response = await rawRequest(baseUrl, 'GET', '/api/v1/workers/');
    expect(response.status).toBe(401);
    expect(response.header('Content-Type')).toBe('application/json');
    // A list call's error carries the Boruta-List-* headers the Go client reads first.
    expect(response.header('Boruta-List-Total')).toBe('0');
    expect(JSON.parse(response.body)).toEqual({
      message: expect.stringContaining('LESHY_V1_ANONYMOUS_ROLE=none') as string,
    });
    const agent = await rawRequest(baseUrl, 'GET', '/api/v1/reqs/1', {
      headers: { Authorization: `Bearer ${ENROLLMENT}` },
    });
    expect(agent.status).toBe(403);
    expect(Object.keys(JSON.parse(agent.body) as object)).toEqual(['message']);
  });

  it('tells agents whether the server has no enrollment token or the token is wrong', async () => {
    const wrong = await post('/api/v2/agents/register', '{}', 'not-the-token');
    expect(wrong.status).toBe(401);
    expect(problem(wrong.body).detail).toMatch(
      /^wrong agent token: server\.token in the agent's config must be this board's agent token/,
    );
  });
});
