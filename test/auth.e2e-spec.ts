import { execFile } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { AgentProcess, fleetArgs, startAgentProcess } from './support/agent-process';
import { waitForWorkerState } from './support/fake-agent';
import { repoRoot } from './support/repo-root';
import { ServerProcess, startServer } from './support/server-process';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

const run = promisify(execFile);

interface Answer {
  status: number;
  body: string;
}

/**
 * One HTTP call to a URL that may carry `user:token@`: node's http, like Go's net/http (what
 * upstream's client uses), turns those into an HTTP Basic header.
 */
function callUrl(url: string, method: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      url,
      {
        method,
        headers: text === undefined ? {} : { 'Content-Type': 'application/json' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    request.on('error', reject);
    request.end(text);
  });
}

/**
 * The lab's first day, with real processes: an admin bootstraps a fresh server, adds testers
 * and agent tokens, an agent registers with its own token, a tester's request runs over API v1
 * with the token in the URL (as upstream's Go client is pointed at Leshy), and nobody else
 * gets at it. No token is ever printed or answered after its creation.
 */
describe('users, tokens and roles, end to end', () => {
  const dir = tempDir('leshy-auth-');
  let server: ServerProcess;
  let fleet: AgentProcess | undefined;
  /** Every secret issued, and every answer received after each one's creation. */
  const secrets: string[] = [];
  const answers: string[] = [];
  let admin = '';

  const bearer = async (method: string, route: string, token: string, body?: unknown) => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const request = http.request(
        `${server.baseUrl}${route}`,
        {
          method,
          headers: {
            Authorization: `Bearer ${token}`,
            ...(text === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString() }),
          );
        },
      );
      request.on('error', reject);
      request.end(text);
    });
    return answer;
  };
  /** A call whose answer must not contain any secret. */
  const checked = async (answer: Promise<Answer>) => {
    const got = await answer;
    answers.push(got.body);
    return got;
  };
  /** A call that creates a token: its secret is in this answer, and only in it. */
  const issuing = async (answer: Promise<Answer>) => {
    const got = await answer;
    expect(got.status).toBe(201);
    const secret = (JSON.parse(got.body) as { secret: string }).secret;
    expect(secret).toMatch(/^lsy_[A-Za-z0-9_-]{43}$/);
    secrets.push(secret);
    return JSON.parse(got.body) as { id: number; secret: string };
  };
  const v1Url = (user: string, token: string, route: string) => {
    const url = new URL(`${server.baseUrl}/api/v1${route}`);
    url.username = user;
    url.password = token;
    return url.toString();
  };

  beforeAll(async () => {
    server = await startServer({ dataDir: path.join(dir.path, 'server') });
  });

  afterAll(async () => {
    await fleet?.stop();
    await server?.stop();
    dir.remove();
  });

  it('bootstraps the first admin with the documented command, once', async () => {
    const env = { ...process.env, LESHY_DATA_DIR: server.dataDir };
    const cli = path.join(repoRoot(), 'dist/src/cli/admin.js');
    const { stdout } = await run(process.execPath, [cli, 'bootstrap'], { env });
    admin = /^(lsy_\S+)$/m.exec(stdout)![1];
    secrets.push(admin);
    const again = await run(process.execPath, [cli, 'bootstrap'], { env }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(again).toMatchObject({ code: 1 });
    expect((again as { stderr: string }).stderr).toContain('this server has an admin already');
    const me = await checked(bearer('GET', '/api/v2/whoami', admin));
    expect(JSON.parse(me.body)).toMatchObject({ kind: 'user', name: 'user:admin', role: 'admin' });
  });

  let alice = '';
  let bob = '';
  let boardToken = '';
  let strangerToken = '';
  let boardUuid = '';

  it('lets the admin add testers, their tokens and agent tokens', async () => {
    const created = await checked(
      bearer('POST', '/api/v2/users', admin, { name: 'alice', role: 'tester', bestPriority: 4 }),
    );
    expect(created.status).toBe(201);
    const aliceId = (JSON.parse(created.body) as { id: number }).id;
    const bobId = (
      JSON.parse(
        (await checked(bearer('POST', '/api/v2/users', admin, { name: 'bob', role: 'tester' })))
          .body,
      ) as { id: number }
    ).id;
    alice = (
      await issuing(bearer('POST', `/api/v2/users/${aliceId}/tokens`, admin, { label: 'ci' }))
    ).secret;
    bob = (
      await issuing(bearer('POST', `/api/v2/users/${bobId}/tokens`, admin, { label: 'laptop' }))
    ).secret;
    boardToken = (
      await issuing(bearer('POST', '/api/v2/agent-tokens', admin, { label: 'board 1' }))
    ).secret;
    strangerToken = (
      await issuing(
        bearer('POST', '/api/v2/agent-tokens', admin, {
          label: 'another board',
          workerUuid: '0b9a7d1c-2f4e-4c6b-8a1d-3e5f7a9c1b2d',
        }),
      )
    ).secret;
    const listed = await checked(bearer('GET', '/api/v2/tokens', admin));
    expect(JSON.parse(listed.body)).toHaveLength(5);
  });

  it('registers an agent with its own token, binding it to the board', async () => {
    fleet = startAgentProcess(
      fleetArgs({
        count: 1,
        serverUrl: server.baseUrl,
        token: boardToken,
        caps: 'board=auth-e2e',
        dataDir: path.join(dir.path, 'fleet'),
      }),
    );
    await fleet.waitForOutput(/board 0 registered: uuid=(\S+)/, 'the agent to register');
    boardUuid = /board 0 registered: uuid=(\S+)/.exec(fleet.output())![1];
    const tokens = JSON.parse(
      (await checked(bearer('GET', '/api/v2/tokens', admin))).body,
    ) as Array<{
      label: string;
      workerUuid: string | null;
    }>;
    expect(tokens.find((t) => t.label === 'board 1')?.workerUuid).toBe(boardUuid);
    // The admin sets it IDLE over API v1, the token in the URL.
    const set = await checked(
      callUrl(v1Url('admin', admin, `/workers/${boardUuid}/setstate`), 'POST', {
        WorkerState: 'IDLE',
      }),
    );
    expect(set.status).toBe(204);
    await waitForWorkerState(server.baseUrl, boardUuid, 'IDLE', 30_000);
  });

  it("runs alice's request over API v1 with Basic credentials in the URL; bob cannot have it", async () => {
    const tooHigh = await checked(
      callUrl(v1Url('alice', alice, '/reqs/'), 'POST', {
        Priority: 2,
        Caps: { board: 'auth-e2e' },
      }),
    );
    expect(tooHigh.status).toBe(403);
    expect(JSON.parse(tooHigh.body)).toEqual({
      message: 'priority 2 is not allowed for you: the best (lowest number) you may use is 4',
    });
    const created = await checked(
      callUrl(v1Url('alice', alice, '/reqs/'), 'POST', {
        Priority: 4,
        Owner: { Groups: null },
        Caps: { board: 'auth-e2e' },
      }),
    );
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.body) as { ReqID: number }).ReqID;
    await waitFor(async () => {
      const info = await checked(callUrl(v1Url('bob', bob, `/reqs/${id}`), 'GET'));
      return (JSON.parse(info.body) as { State: string }).State === 'IN PROGRESS';
    }, 'the request to run');

    const stolen = await checked(callUrl(v1Url('bob', bob, `/reqs/${id}/acquire_worker`), 'POST'));
    expect(stolen.status).toBe(403);
    expect(stolen.body).not.toContain('PRIVATE KEY');
    expect(JSON.parse(stolen.body)).toEqual({
      message: expect.stringContaining('only its owner or an admin may') as string,
    });
    expect((await checked(callUrl(v1Url('bob', bob, `/reqs/${id}/close`), 'POST'))).status).toBe(
      403,
    );

    // Bearer works on API v1 as well as Basic.
    const prolonged = await checked(bearer('POST', `/api/v1/reqs/${id}/prolong`, alice));
    expect(prolonged.status).toBe(204);
    const acquired = await checked(
      callUrl(v1Url('alice', alice, `/reqs/${id}/acquire_worker`), 'POST'),
    );
    expect(acquired.status).toBe(200);
    expect(acquired.body).toContain('BEGIN RSA PRIVATE KEY');
    // Anonymous callers are testers by default: not alice either.
    const anonymous = await checked(callUrl(`${server.baseUrl}/api/v1/reqs/${id}/prolong`, 'POST'));
    expect(anonymous.status).toBe(403);
    expect(
      (await checked(callUrl(v1Url('alice', alice, `/reqs/${id}/close`), 'POST'))).status,
    ).toBe(204);
  });

  it("does not let a second agent's token fail the first board", async () => {
    const failed = await checked(
      bearer('POST', `/api/v2/agents/${boardUuid}/fail`, strangerToken, { reason: 'not mine' }),
    );
    expect(failed.status).toBe(403);
    expect(JSON.parse(failed.body)).toMatchObject({
      status: 403,
      detail: expect.stringContaining('belongs to worker 0b9a7d1c') as string,
    });
    // This server has no enrollment token: an unknown token is told so.
    const unknown = await checked(
      bearer('POST', `/api/v2/agents/${boardUuid}/heartbeat`, 'lsy_made-up'),
    );
    expect(unknown.status).toBe(401);
    expect(JSON.parse(unknown.body)).toMatchObject({
      detail: expect.stringMatching(/^the server has no LESHY_AGENT_TOKEN set/) as string,
    });
    const info = JSON.parse(
      (await checked(callUrl(v1Url('alice', alice, `/workers/${boardUuid}`), 'GET'))).body,
    ) as { State: string };
    expect(info.State).not.toBe('FAILED');
  });

  it('revokes a token at once', async () => {
    const tokens = JSON.parse(
      (await checked(bearer('GET', '/api/v2/tokens', admin))).body,
    ) as Array<{
      id: number;
      label: string;
    }>;
    const laptop = tokens.find((t) => t.label === 'laptop')!;
    const revoked = await checked(bearer('POST', `/api/v2/tokens/${laptop.id}/revoke`, admin));
    expect(revoked.status).toBe(200);
    expect(JSON.parse(revoked.body)).toMatchObject({
      label: 'laptop',
      revokedAt: expect.any(String),
    });
    const refused = await checked(callUrl(v1Url('bob', bob, '/reqs/'), 'GET'));
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({
      message: expect.stringMatching(/revoked/) as string,
    });
  });

  it('never shows a token in the server log or in any answer after its creation', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    const log = server.logs();
    for (const secret of secrets) {
      expect(log).not.toContain(secret);
      expect(fleet!.output()).not.toContain(secret);
      for (const answer of answers) expect(answer).not.toContain(secret);
    }
  });
});
