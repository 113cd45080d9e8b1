import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import { utils } from 'ssh2';
import { FakeAgent, startIdleAgents, waitForWorkerState } from './support/fake-agent';
import { rawRequest, v1Json } from './support/http-client';
import { ServerProcess, startServer } from './support/server-process';
import { sshConnect, sshExec, sshRefused } from './support/ssh-session';
import { refusesConnections } from './support/tcp-probe';
import { waitFor } from './support/wait-for';

/**
 * What acquire_worker hands out really works: the key opens an SSH session on the worker
 * through the server's tunnel, the agent takes only the current job's key, and closing the
 * request closes the tunnel and cuts the sessions in it.
 */

const TOKEN = 'access-e2e-agent-token';
const WORKER = { uuid: '5b0c1f7e-3a52-4d7e-9d1a-7f3c2b1a0e01', caps: { board: 'access-board' } };

interface AccessInfo2 {
  Addr: { IP: string; Port: number; Zone: string };
  Key: string;
  Username: string;
}

let server: ServerProcess;
let agent: FakeAgent;

/** A request for the worker `uuid`, once it runs; its ID. */
async function startedRequest(baseUrl: string, uuid: string): Promise<number> {
  const created = await v1Json(baseUrl, 'POST', '/api/v1/reqs/', {
    Priority: 4,
    Caps: { UUID: uuid },
  });
  expect(created.status).toBe(201);
  const id = (JSON.parse(created.body) as { ReqID: number }).ReqID;
  // As GetRequestState does it: HEAD, 204, the state in a header.
  await waitFor(async () => {
    const head = await rawRequest(baseUrl, 'HEAD', `/api/v1/reqs/${id}`);
    return head.status === 204 && head.header('Boruta-Request-State') === 'IN PROGRESS';
  }, `request ${id} to run`);
  return id;
}

async function runningRequest(): Promise<{ id: number; access: AccessInfo2 }> {
  const id = await startedRequest(server.baseUrl, WORKER.uuid);
  const acquired = await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/acquire_worker`);
  expect(acquired.status).toBe(200);
  return { id, access: JSON.parse(acquired.body) as AccessInfo2 };
}

function publicKeyOf(pem: string): Buffer {
  const parsed = utils.parseKey(pem);
  if (parsed instanceof Error) throw parsed;
  return (Array.isArray(parsed) ? parsed[0] : parsed).getPublicSSH();
}

beforeAll(async () => {
  // Anonymous v1 callers are admins here, as with upstream Boruta (the setstate calls).
  server = await startServer({
    env: { LESHY_AGENT_TOKEN: TOKEN, LESHY_KEY_POOL: '2', LESHY_V1_ANONYMOUS_ROLE: 'admin' },
  });
  [agent] = await startIdleAgents(server.baseUrl, TOKEN, [WORKER]);
});

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
});

describe('access to an acquired worker', () => {
  it('opens an SSH session through the tunnel with the job key, and only with it', async () => {
    const { id, access } = await runningRequest();
    expect(access.Addr.IP).toBe('127.0.0.1');
    expect(access.Addr.Zone).toBe('');
    expect(access.Username).toBe('boruta-user');
    // The private key handed out belongs to the public key the board was prepared with.
    expect(publicKeyOf(access.Key).equals(publicKeyOf(agent.jobKey!))).toBe(true);

    const target = { host: access.Addr.IP, port: access.Addr.Port, username: access.Username };
    const session = await sshConnect({ ...target, privateKey: access.Key });
    expect(await sshExec(session, 'echo hello from the board')).toEqual({
      stdout: 'hello from the board\n',
      code: 0,
    });
    session.end();

    const stranger = generateEd25519KeyPair().private;
    expect(await sshRefused({ ...target, privateKey: stranger })).toBe(true);
    // acquire again: same tunnel, same key.
    const again = JSON.parse(
      (await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/acquire_worker`)).body,
    ) as AccessInfo2;
    expect(again).toEqual(access);
    await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/close`);
  });

  it('prolong moves the job timeout the Go client reads with HEAD', async () => {
    const { id } = await runningRequest();
    const before = await rawRequest(server.baseUrl, 'HEAD', `/api/v1/reqs/${id}`);
    const timeout = before.header('Boruta-Job-Timeout')!;
    expect(timeout).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    // The header has whole seconds: wait until a prolong must move it.
    await waitFor(() => Date.now() >= Date.parse(timeout) - 3_600_000 + 1_000, 'a second to pass');
    expect((await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/prolong`)).status).toBe(
      204,
    );
    const after = await rawRequest(server.baseUrl, 'HEAD', `/api/v1/reqs/${id}`);
    expect(Date.parse(after.header('Boruta-Job-Timeout')!)).toBeGreaterThan(Date.parse(timeout));
    await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/close`);
  });

  it('close shuts the tunnel, cuts live sessions, and the next job has a new key', async () => {
    const { id, access } = await runningRequest();
    const target = { host: access.Addr.IP, port: access.Addr.Port, username: access.Username };
    const session = await sshConnect({ ...target, privateKey: access.Key });
    const cut = new Promise<void>((resolve) => session.once('close', () => resolve()));
    // A session that stays open until something ends it.
    const held = new Promise<string>((resolve, reject) =>
      session.exec('hold', (error, stream) => {
        if (error) return reject(error);
        stream.once('data', (chunk: Buffer) => resolve(chunk.toString()));
      }),
    );
    expect(await held).toBe(`holding on ${WORKER.uuid}\n`);
    const preparesBefore = agent.prepares;

    expect((await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/close`)).status).toBe(204);
    await cut;
    await waitFor(() => refusesConnections(access.Addr.Port), 'the tunnel to refuse connections');

    // The board is prepared for the next user with a fresh key; the old one stops working.
    await waitForWorkerState(server.baseUrl, WORKER.uuid, 'IDLE');
    expect(agent.prepares).toBe(preparesBefore + 1);
    const [host, port] = agent.address.split(':');
    expect(
      await sshRefused({
        host,
        port: Number(port),
        username: access.Username,
        privateKey: access.Key,
      }),
    ).toBe(true);
    const next = await runningRequest();
    expect(next.access.Key).not.toBe(access.Key);
    const nextSession = await sshConnect({
      host: next.access.Addr.IP,
      port: next.access.Addr.Port,
      username: next.access.Username,
      privateKey: next.access.Key,
    });
    expect((await sshExec(nextSession, 'echo again')).stdout).toBe('again\n');
    nextSession.end();
    await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${next.id}/close`);
  });
});

describe('a tunnel that cannot be opened', () => {
  // TEST-NET-1 (RFC 5737): a valid address that no interface of this machine has.
  const UNBINDABLE_HOST = '192.0.2.1';
  const LOST = { uuid: '5b0c1f7e-3a52-4d7e-9d1a-7f3c2b1a0e02', caps: { board: 'no-tunnel' } };
  let lostServer: ServerProcess;
  let lostAgent: FakeAgent | undefined;

  beforeAll(async () => {
    lostServer = await startServer({
      env: {
        LESHY_AGENT_TOKEN: TOKEN,
        LESHY_V1_ANONYMOUS_ROLE: 'admin',
        LESHY_TUNNEL_HOST: UNBINDABLE_HOST,
        LESHY_TUNNEL_ADVERTISED_IP: '127.0.0.1',
      },
    });
    [lostAgent] = await startIdleAgents(lostServer.baseUrl, TOKEN, [LOST]);
  });

  afterAll(async () => {
    await lostAgent?.stop();
    await lostServer?.stop();
  });

  it('makes acquire_worker answer 503 with the reason, as documented', async () => {
    const id = await startedRequest(lostServer.baseUrl, LOST.uuid);
    const acquired = await rawRequest(
      lostServer.baseUrl,
      'POST',
      `/api/v1/reqs/${id}/acquire_worker`,
    );
    expect(acquired.status).toBe(503);
    expect(acquired.header('Content-Type')).toBe('application/json');
    const { message } = JSON.parse(acquired.body) as { message: string };
    expect(message).toContain(`the tunnel for request ${id} could not be opened`);
    expect(message).toContain(`cannot listen on ${UNBINDABLE_HOST} (LESHY_TUNNEL_HOST)`);
    // The job itself is unharmed: it can be closed as usual.
    expect((await rawRequest(lostServer.baseUrl, 'POST', `/api/v1/reqs/${id}/close`)).status).toBe(
      204,
    );
  });
});

describe('LESHY_V1_ANONYMOUS_ROLE=tester', () => {
  let testerServer: ServerProcess;

  beforeAll(async () => {
    testerServer = await startServer({
      env: { LESHY_AGENT_TOKEN: TOKEN, LESHY_V1_ANONYMOUS_ROLE: 'tester', LESHY_KEY_POOL: '0' },
    });
  });

  afterAll(async () => {
    await testerServer?.stop();
  });

  it('refuses setstate, setgroups and deregister with 403 and a clear message', async () => {
    const path = `/api/v1/workers/${WORKER.uuid}`;
    for (const [call, body] of [
      ['setstate', { WorkerState: 'IDLE' }],
      ['setgroups', ['lab']],
      ['deregister', undefined],
    ] as const) {
      const response = await v1Json(testerServer.baseUrl, 'POST', `${path}/${call}`, body);
      expect(response.status).toBe(403);
      expect(response.header('Content-Type')).toBe('application/json');
      expect(JSON.parse(response.body)).toEqual({
        message: expect.stringContaining('LESHY_V1_ANONYMOUS_ROLE=tester') as string,
      });
    }
  });

  it('still serves tester calls', async () => {
    const created = await v1Json(testerServer.baseUrl, 'POST', '/api/v1/reqs/', {
      Priority: 8,
      Caps: { board: 'x' },
    });
    expect(created.status).toBe(201);
    expect((await v1Json(testerServer.baseUrl, 'POST', '/api/v1/workers/list')).status).toBe(200);
  });
});
