import { readableLog } from './support/log-lines';
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { AGENT_API_PREFIX } from 'dryad-agent/protocol';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import { bringToIdle, FakeAgent } from './support/fake-agent';
import { ServerProcess, startServer } from './support/server-process';
import { waitFor } from './support/wait-for';

const TOKEN = 'server-survives-agent-token';

/** Accepts TCP connections and closes each `afterMs` later, without a word of SSH. */
async function closingListener(afterMs: number): Promise<{ address: string; stop(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    setTimeout(() => socket.destroy(), afterMs).unref();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    stop: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** The process is still there and answers HTTP. */
async function alive(server: ServerProcess): Promise<boolean> {
  const response = await fetch(`${server.baseUrl}/health`).catch(() => null);
  return response !== null;
}

describe('the server process survives what one agent does', () => {
  let server: ServerProcess;
  const cleanups: Array<() => unknown> = [];

  beforeAll(async () => {
    server = await startServer({
      // A misspelt variable, for the start-up warning below.
      env: {
        LESHY_AGENT_TOKEN: TOKEN,
        LESHY_DRYAD_TIMEOUT: '10s',
        LESHY_SWEEP_INTERVL: '1s',
        LESHY_V1_ANONYMOUS_ROLE: 'admin',
      },
    });
  });
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    await server.stop();
  });

  it('says at start-up what is on and which variables it does not know', () => {
    const logs = readableLog(server.logs());
    expect(logs).toMatch(
      /WARN \[Config\] LESHY_SWEEP_INTERVL is not a Leshy variable and is ignored: did you mean LESHY_SWEEP_INTERVAL\?/,
    );
    expect(logs).toContain(
      '[Config] agents register with their own agent tokens or the lab-wide LESHY_AGENT_TOKEN',
    );
    expect(logs).toMatch(/\[Config\] database: SQLite file \S+leshy\.sqlite/);
    expect(logs).not.toContain(TOKEN);
  });

  it('re-registration of an IDLE worker to an address that accepts and hangs up', async () => {
    const agent = await FakeAgent.start({
      serverUrl: server.baseUrl,
      agentToken: TOKEN,
      uuid: randomUUID(),
      caps: { board: 'survives' },
    });
    cleanups.push(() => agent.stop());
    await agent.register();
    await bringToIdle(server.baseUrl, agent);
    const listener = await closingListener(2_000);
    cleanups.push(() => listener.stop());

    const answer = await fetch(`${server.baseUrl}${AGENT_API_PREFIX}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        uuid: agent.uuid,
        caps: { board: 'survives' },
        controlAddr: listener.address,
        sshAddr: listener.address,
        hostKey: generateEd25519KeyPair().public.trim(),
        accessMode: 'embedded',
        agentVersion: 'moved-agent',
      }),
    });
    expect(answer.status).toBe(200);

    // The server dials the new address (the agent's connection closed, or a probe), which
    // hangs up 2 s later: that failure must stay with the worker, not end the process.
    await waitFor(
      () => /cannot reach the agent at 127\.0\.0\.1/.test(server.logs()),
      'the server to dial the new address and fail',
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    if (!(await alive(server))) throw new Error(`the server died:\n${server.logs()}`);
    // Alive thanks to the failure being handled, not thanks to the last-resort handler.
    expect(server.logs()).not.toMatch(/unhandled promise rejection|uncaught exception/);
  });
});
