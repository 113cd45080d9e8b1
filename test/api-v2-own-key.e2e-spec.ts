import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { AgentProcess, fleetArgs, startAgentProcess } from './support/agent-process';
import { waitForWorkerState } from './support/fake-agent';
import { v1Json } from './support/http-client';
import { openSsh } from './support/openssh-client';
import { ServerProcess, startServer } from './support/server-process';
import { tempDir } from './support/temp-dir';
import { v2Client, V2Client } from './support/v2-client';

/**
 * A tester with their own key, end to end with real parts: the server and a dryad-agent board
 * as processes, a key made by ssh-keygen, and the OpenSSH client logging in through the
 * server's tunnel. No private key crosses the network; once the request is closed, the key
 * opens nothing any more.
 */
const AGENT_TOKEN = 'own-key-e2e-agent-token';
const ADMIN_TOKEN = 'own-key-e2e-admin-token-0123456789abcdef';

describe('API v2: a tester with their own key', () => {
  const dir = tempDir('leshy-own-key-');
  let server: ServerProcess;
  let fleet: AgentProcess;
  let tester: V2Client;
  let boardUuid: string;
  let boardSsh: { host: string; port: number };
  const identityFile = path.join(dir.path, 'id_ed25519');

  beforeAll(async () => {
    server = await startServer({
      dataDir: path.join(dir.path, 'server'),
      env: {
        LESHY_AGENT_TOKEN: AGENT_TOKEN,
        LESHY_ADMIN_TOKEN: ADMIN_TOKEN,
        LESHY_V1_ANONYMOUS_ROLE: 'admin',
        LESHY_KEY_POOL: '2',
      },
    });
    fleet = startAgentProcess(
      fleetArgs({
        count: 1,
        serverUrl: server.baseUrl,
        token: AGENT_TOKEN,
        caps: 'board=own-key',
        dataDir: path.join(dir.path, 'fleet'),
      }),
    );
    await fleet.waitForOutput(/1 boards? registered/, 'the board to register');
    const line = /board \d registered: uuid=(\S+) ssh=(\S+):(\d+)/.exec(fleet.output())!;
    boardUuid = line[1];
    boardSsh = { host: line[2], port: Number(line[3]) };

    // The admin makes a tester and a token for them, as docs/auth.md shows.
    const admin = v2Client(server.baseUrl, 'admin', ADMIN_TOKEN);
    const user = await admin.call('POST', '/api/v2/users', { name: 'alice', role: 'tester' });
    expect(user.status).toBe(201);
    const token = await admin.call('POST', `/api/v2/users/${user.body.id}/tokens`, {
      label: 'laptop',
    });
    tester = v2Client(server.baseUrl, 'alice', token.body.secret);

    // The tester's own key, as they would have it.
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'alice@laptop',
      '-f',
      identityFile,
    ]);
  }, 90_000);

  afterAll(async () => {
    await fleet?.stop();
    await server?.stop();
    dir.remove();
  });

  it('creates → waits → acquires → logs in with OpenSSH → closes → is refused', async () => {
    const publicKey = execFileSync('cat', [`${identityFile}.pub`])
      .toString()
      .trim();
    const created = await tester.call('POST', '/api/v2/requests', {
      caps: { board: 'own-key' },
      publicKey,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: 'WAITING', owner: 'alice', ownKey: true });
    const id = created.body.id as number;

    // The wait starts before the board is in service; the board coming up ends it.
    const waited = tester.call('GET', `/api/v2/requests/${id}?waitFor=IN_PROGRESS&timeout=60s`);
    const set = await v1Json(server.baseUrl, 'POST', `/api/v1/workers/${boardUuid}/setstate`, {
      WorkerState: 'IDLE',
    });
    expect(set.status).toBe(204);
    const running = await waited;
    expect(running.header('wait-result')).toBe('reached');
    expect(running.body).toMatchObject({ state: 'IN PROGRESS', job: { workerUuid: boardUuid } });

    const access = await tester.call('POST', `/api/v2/requests/${id}/acquire`);
    expect(access.status).toBe(200);
    expect(access.body).toMatchObject({ requestId: id, ownKey: true, privateKey: null });
    const login = {
      host: access.body.tunnel.host as string,
      port: access.body.tunnel.port as number,
      username: access.body.username as string,
      identityFile,
    };
    const session = await openSsh({ ...login, command: 'mux' });
    expect(session).toMatchObject({ code: 0, stdout: 'ts\n' });

    // The same login straight to the board works during the job (so its refusal below is the
    // revocation, not a wrong address).
    expect(await openSsh({ ...login, ...boardSsh, command: 'mux' })).toMatchObject({ code: 0 });

    const closed = await tester.call('POST', `/api/v2/requests/${id}/close`);
    expect(closed.body).toMatchObject({
      state: 'DONE',
      ended: { how: 'closed-by-owner', by: 'user:alice' },
    });
    // The tunnel is gone, and the board itself no longer takes the key once it is prepared for
    // the next job.
    const throughTunnel = await openSsh({ ...login, command: 'mux' });
    expect(throughTunnel.code).not.toBe(0);
    await waitForWorkerState(server.baseUrl, boardUuid, 'IDLE', 30_000);
    const direct = await openSsh({ ...login, ...boardSsh, command: 'mux' });
    expect(direct.code).toBe(255);
    expect(direct.stderr).toMatch(/Permission denied/);
  }, 120_000);
});
