import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { AgentProcess, startAgentProcess } from './support/agent-process';
import { waitForWorkerState } from './support/fake-agent';
import { rawRequest } from './support/http-client';
import { logLines } from './support/log-lines';
import { repoRoot } from './support/repo-root';
import { ServerProcess, startServer } from './support/server-process';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

const run = promisify(execFile);

/**
 * A real server at the most verbose log level goes through the flow where secrets pass by: a
 * user token and an agent token are made, an agent registers with its token, a job runs and is
 * acquired (its private key in the answer), callers send Bearer and Basic credentials and a
 * cookie. Its whole output (stdout and stderr) carries none of them, nor the server secret;
 * and it does log that flow, with the ids as fields.
 */
describe('no secret in the server log', () => {
  const dir = tempDir('leshy-log-secrets-');
  const serverSecret = randomBytes(24).toString('hex');
  let server: ServerProcess;
  let fleet: AgentProcess | undefined;
  const secrets: string[] = [serverSecret];

  beforeAll(async () => {
    server = await startServer({
      dataDir: path.join(dir.path, 'server'),
      env: { LESHY_LOG_LEVEL: 'trace', LESHY_SECRET: serverSecret },
    });
  });
  afterAll(async () => {
    await fleet?.stop();
    await server?.stop();
    dir.remove();
  });

  const call = async (method: string, route: string, token: string, body?: unknown) => {
    const answer = await rawRequest(server.baseUrl, method, route, {
      headers: {
        Authorization: `Bearer ${token}`,
        Cookie: `leshy_session=${token}`,
        'Content-Type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (answer.status >= 400)
      throw new Error(`${method} ${route}: ${answer.status} ${answer.body}`);
    return answer.body === '' ? null : (JSON.parse(answer.body) as Record<string, unknown>);
  };

  it('runs a job end to end, and its output has no token, key or secret', async () => {
    const { stdout } = await run(
      process.execPath,
      [path.join(repoRoot(), 'dist/src/cli/admin.js'), 'bootstrap'],
      { env: { ...process.env, LESHY_DATA_DIR: server.dataDir, LESHY_SECRET: serverSecret } },
    );
    const admin = /^(lsy_\S+)$/m.exec(stdout)![1];
    secrets.push(admin);
    const tester = (await call('POST', '/api/v2/users', admin, { name: 'tess', role: 'tester' }))!;
    const testerToken = (await call('POST', `/api/v2/users/${String(tester.id)}/tokens`, admin, {
      label: 'laptop',
    }))!.secret as string;
    const agentToken = (await call('POST', '/api/v2/agent-tokens', admin, { label: 'board' }))!
      .secret as string;
    secrets.push(testerToken, agentToken);

    fleet = startAgentProcess([
      ...['fleet', '--count', '1', '--server', server.baseUrl, '--token', agentToken],
      ...['--caps', 'board=log-secrets', '--data-dir', path.join(dir.path, 'fleet')],
    ]);
    await fleet.waitForOutput(/board 0 registered: uuid=(\S+)/, 'the agent to register');
    const uuid = /board 0 registered: uuid=(\S+)/.exec(fleet.output())![1];
    await call('POST', `/api/v1/workers/${uuid}/setstate`, admin, { WorkerState: 'IDLE' });
    await waitForWorkerState(server.baseUrl, uuid, 'IDLE', 30_000);

    const created = (await call('POST', '/api/v1/reqs/', testerToken, {
      Priority: 8,
      Caps: { board: 'log-secrets' },
    }))!;
    const id = created.ReqID as number;
    await waitFor(
      async () => (await call('GET', `/api/v1/reqs/${id}`, testerToken))!.State === 'IN PROGRESS',
      'the request to run',
      30_000,
    );
    // Basic credentials, as upstream's client sends them from its server URL.
    const basic = Buffer.from(`tess:${testerToken}`).toString('base64');
    const acquired = await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/acquire_worker`, {
      headers: { Authorization: `Basic ${basic}` },
    });
    expect(acquired.status).toBe(200);
    const key = (JSON.parse(acquired.body) as { Key: string }).Key;
    expect(key).toContain('PRIVATE KEY');
    await call('POST', `/api/v1/reqs/${id}/close`, testerToken);
    await waitForWorkerState(server.baseUrl, uuid, 'IDLE', 30_000);

    await server.stop();
    const output = server.logs();
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).not.toContain(basic);
    // The key as a whole, and each line of its body (a log could wrap or re-indent it).
    expect(output).not.toContain(key.trim());
    for (const line of key.split('\n').filter((l) => !l.startsWith('-----') && l.length >= 16))
      expect(output).not.toContain(line.trim());
    expect(output).not.toMatch(/PRIVATE KEY|authorization|cookie/i);

    // Not vacuous: the flow is in the log, each line about the request or worker with its id.
    const lines = logLines(output);
    expect(lines).toContainEqual(
      expect.objectContaining({
        context: 'HTTP',
        msg: `POST /api/v1/reqs/${id}/acquire_worker 200`,
        requestId: id,
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        // Matched as it was created, or by a later pass.
        msg: expect.stringMatching(new RegExp(`^request ${id} matched with worker ${uuid}`)),
        requestId: id,
        workerUuid: uuid,
      }),
    );
    expect(lines.filter((l) => l.msg.includes(`worker ${uuid}`))).not.toEqual([]);
    for (const line of lines.filter((l) => l.msg.includes(`worker ${uuid}`)))
      expect(line.workerUuid).toBe(uuid);
  });
});
