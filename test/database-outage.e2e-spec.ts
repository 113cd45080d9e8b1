import { randomUUID } from 'node:crypto';
import { AGENT_API_PREFIX } from 'dryad-agent/protocol';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import { v1Json } from './support/http-client';
import { onMaintenanceDatabase as admin, scratchPostgres } from './support/scratch-postgres';
import { ServerProcess, startServer } from './support/server-process';
import { waitFor } from './support/wait-for';

const TOKEN = 'database-outage-token';

/**
 * The PostgreSQL database goes away under a running server (connections refused, the open ones
 * terminated) and comes back: the server keeps running and answers 503 meanwhile, in each API's
 * error format, logs the outage once rather than per failure, and serves again by itself.
 */
describe('a database outage under a running server', () => {
  let db: { url: string; drop(): Promise<void> };
  let server: ServerProcess;
  let name: string;

  beforeAll(async () => {
    db = await scratchPostgres();
    name = new URL(db.url).pathname.slice(1);
    server = await startServer({
      env: {
        LESHY_DATABASE_URL: db.url,
        LESHY_AGENT_TOKEN: TOKEN,
        LESHY_SWEEP_INTERVAL: '1s',
        LESHY_HEALTHCHECK_INTERVAL: '1s',
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await admin(db.url, `ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await db?.drop();
  });

  const register = () =>
    fetch(`${server.baseUrl}${AGENT_API_PREFIX}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        uuid: randomUUID(),
        caps: { board: 'outage' },
        controlAddr: '127.0.0.1:2222',
        sshAddr: '127.0.0.1:2222',
        hostKey: generateEd25519KeyPair().public.trim(),
        accessMode: 'embedded',
        agentVersion: 'test',
      }),
    });

  /** waitFor, with the server's output in the failure message. */
  const waitWithLogs = (probe: () => boolean | Promise<boolean>, what: string, ms: number) =>
    waitFor(probe, what, ms).catch((error: Error) => {
      throw new Error(`${error.message}\n--- server output ---\n${server.logs()}`);
    });

  it('keeps running, answers 503 while the database is gone and serves again after', async () => {
    expect((await v1Json(server.baseUrl, 'POST', '/api/v1/reqs/list')).status).toBe(200);
    expect((await register()).status).toBe(200);

    await admin(db.url, `ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin(
      db.url,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`,
    );
    // Many sweeps and health-check rounds fail meanwhile (every second).
    await waitWithLogs(
      () => /database is unavailable/.test(server.logs()),
      'the server to log the outage',
      15_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const v1 = await v1Json(server.baseUrl, 'POST', '/api/v1/reqs/list');
    expect(v1.status).toBe(503);
    expect(JSON.parse(v1.body)).toEqual({
      message: expect.stringMatching(/database is unavailable/),
    });
    const v2 = await register();
    expect(v2.status).toBe(503);
    expect(v2.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await v2.json()).toMatchObject({
      status: 503,
      code: 'database-unavailable',
      detail: expect.stringMatching(/database is unavailable/),
    });
    expect((await fetch(`${server.baseUrl}/health`)).status).toBe(503);
    // Readiness says so too, and liveness does not (a restart would not bring the database back).
    const ready = await fetch(`${server.baseUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { database: { status: 'down' } } });
    expect((await fetch(`${server.baseUrl}/health/live`)).status).toBe(200);
    // Once a minute at most, not once per failed sweep or request.
    expect(server.logs().match(/database is unavailable/g)).toHaveLength(1);

    await admin(db.url, `ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await waitWithLogs(
      async () => (await v1Json(server.baseUrl, 'POST', '/api/v1/reqs/list')).status === 200,
      'the server to serve again',
      30_000,
    );
    expect((await register()).status).toBe(200);
    await waitWithLogs(
      () => /database is reachable again/.test(server.logs()),
      'the recovery log line',
      10_000,
    );
  });
});
