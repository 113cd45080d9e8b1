import * as path from 'node:path';
import { AgentProcess, startAgentProcess } from './support/agent-process';
import { waitForWorkerState } from './support/fake-agent';
import { rawRequest, v1Json } from './support/http-client';
import { ServerProcess, startServer } from './support/server-process';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

const TOKEN = 'maintenance-message-e2e-agent-token';
const ADMIN_TOKEN = 'maintenance-message-e2e-admin-token-0123456789';

/**
 * An admin's maintenance message reaches a real dryad-agent (a simulated fleet board) word for
 * word, after the running job was let finish (drain): server and agent as processes.
 */
describe('maintenance message and drain with a real agent', () => {
  const dir = tempDir('leshy-maintenance-');
  let server: ServerProcess;
  let fleet: AgentProcess;

  beforeAll(async () => {
    server = await startServer({
      dataDir: path.join(dir.path, 'server'),
      env: {
        LESHY_AGENT_TOKEN: TOKEN,
        LESHY_ADMIN_TOKEN: ADMIN_TOKEN,
        LESHY_V1_ANONYMOUS_ROLE: 'admin',
        LESHY_DRYAD_TIMEOUT: '15s',
      },
    });
    fleet = startAgentProcess([
      'fleet',
      '--count',
      '1',
      '--server',
      server.baseUrl,
      '--token',
      TOKEN,
      '--caps',
      'board=maintenance-sim',
      '--base-port',
      '0',
      '--data-dir',
      path.join(dir.path, 'fleet'),
      '--log-level',
      'info',
    ]);
    await fleet.waitForOutput(/1 boards? registered/, 'the fleet to register');
  });

  afterAll(async () => {
    await fleet?.stop();
    await server?.stop();
    dir.remove();
  });

  const v2 = (method: string, route: string, body?: unknown) =>
    rawRequest(server.baseUrl, method, route, {
      headers: {
        Authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('drains the running job, then shows the message on the board', async () => {
    const listed = JSON.parse((await v2('GET', '/api/v2/workers')).body) as {
      items: Array<{ uuid: string }>;
    };
    const uuid = listed.items[0].uuid;
    expect((await v2('POST', `/api/v2/workers/${uuid}/idle`)).status).toBe(200);
    await waitForWorkerState(server.baseUrl, uuid, 'IDLE', 30_000);
    const created = await v1Json(server.baseUrl, 'POST', '/api/v1/reqs/', {
      Priority: 4,
      Caps: { board: 'maintenance-sim' },
    });
    const id = JSON.parse(created.body).ReqID as number;
    await waitForWorkerState(server.baseUrl, uuid, 'RUNNING', 30_000);

    const message = `PSU "B" swap, ask Ana \\ room 4`;
    const ordered = await v2('POST', `/api/v2/workers/${uuid}/maintenance`, {
      message,
      drain: true,
    });
    expect(ordered.status).toBe(200);
    expect(JSON.parse(ordered.body)).toMatchObject({ state: 'RUNNING' });
    const state = async () =>
      (await rawRequest(server.baseUrl, 'HEAD', `/api/v1/reqs/${id}`)).header(
        'Boruta-Request-State',
      );
    expect(await state()).toBe('IN PROGRESS');
    expect(fleet.output()).not.toContain(`maintenance: ${JSON.stringify(message)}`);

    expect((await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/close`)).status).toBe(204);
    await waitForWorkerState(server.baseUrl, uuid, 'MAINTENANCE', 30_000);
    expect(await state()).toBe('DONE');
    await waitFor(
      () => fleet.output().includes(`maintenance: ${JSON.stringify(message)}`),
      'the agent to show the message',
    );
  });
});
