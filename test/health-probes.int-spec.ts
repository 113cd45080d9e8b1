import { DeadKeyPool } from './fakes/dead-key-pool';
import { rawRequest } from './support/http-client';
import {
  onMaintenanceDatabase as onMaintenance,
  scratchPostgres,
} from './support/scratch-postgres';
import { startTestApp, TestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

interface Probe {
  status: number;
  body: {
    status: string;
    info: Record<string, { status: string }>;
    error: Record<string, { status: string; message?: string }>;
  };
}

async function probe(t: TestApp, path: string): Promise<Probe> {
  // Anonymous: no Authorization header, as systemd's or Kubernetes' probes send.
  const response = await rawRequest(await t.app.getUrl(), 'GET', path);
  return { status: response.status, body: JSON.parse(response.body) as Probe['body'] };
}

/** GET /health/live and /health/ready (terminus) of a whole server in-process. */
describe('health probes', () => {
  describe('on a healthy server', () => {
    const dir = tempDir();
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ dataDir: dir.path, http: true });
    });
    afterAll(async () => {
      await t.close();
      dir.remove();
    });

    it('liveness answers 200 without a token', async () => {
      const live = await probe(t, '/health/live');
      expect(live.status).toBe(200);
      expect(live.body).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
    });

    it('readiness answers 200 with the database, the scheduler and the key pool up', async () => {
      const ready = await probe(t, '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({
        status: 'ok',
        info: {
          database: { status: 'up' },
          scheduler: { status: 'up', schedulesHere: true },
          keyPool: { status: 'up' },
        },
        error: {},
      });
    });

    it('GET /health keeps its report', async () => {
      const response = await rawRequest(await t.app.getUrl(), 'GET', '/health');
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ status: 'ok', database: { ok: true } });
    });
  });

  it('readiness is 503 when no key generator thread is left; liveness stays 200', async () => {
    const dir = tempDir();
    const t = await startTestApp({ dataDir: dir.path, http: true, keyPool: new DeadKeyPool() });
    try {
      const ready = await probe(t, '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('error');
      expect(ready.body.error.keyPool).toMatchObject({
        status: 'down',
        message: expect.stringMatching(/no key generator thread/),
      });
      expect(ready.body.info.database.status).toBe('up');
      expect((await probe(t, '/health/live')).status).toBe(200);
    } finally {
      await t.close();
      dir.remove();
    }
  });

  describe('on PostgreSQL', () => {
    const dir = tempDir();
    let db: { url: string; drop(): Promise<void> };
    let name: string;
    let t: TestApp;
    beforeAll(async () => {
      db = await scratchPostgres();
      name = new URL(db.url).pathname.slice(1);
      t = await startTestApp({
        dataDir: dir.path,
        http: true,
        env: { LESHY_DATABASE_URL: db.url },
      });
    });
    afterAll(async () => {
      await onMaintenance(db.url, `ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(
        () => undefined,
      );
      await t.close();
      dir.remove();
      await db.drop();
    });

    it('readiness is 503 while no instance schedules, and 200 once one does again', async () => {
      expect((await probe(t, '/health/ready')).status).toBe(200);
      // The scheduler's lock connection breaks: it stops, steps back, and takes the lead again.
      await onMaintenance(
        db.url,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'leshy-scheduler:%'`,
        [name],
      );
      const down: Probe = await waitFor<Probe | undefined>(
        async () => {
          const ready = await probe(t, '/health/ready');
          return ready.status === 503 ? ready : undefined;
        },
        'readiness to fail while nobody schedules',
        5_000,
      ).then((found) => found!);
      expect(down.body.error.scheduler).toMatchObject({
        status: 'down',
        message: expect.stringMatching(/no instance schedules/),
      });
      await waitFor(
        async () => (await probe(t, '/health/ready')).status === 200,
        'readiness once the scheduler is back',
        20_000,
      );
    });

    it('readiness is 503 while the database is unreachable; liveness stays 200', async () => {
      await onMaintenance(db.url, `ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await onMaintenance(
        db.url,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`,
        [name],
      );
      const down: Probe = await waitFor<Probe | undefined>(
        async () => {
          const ready = await probe(t, '/health/ready');
          return ready.status === 503 && ready.body.error.database ? ready : undefined;
        },
        'readiness to fail without a database',
        15_000,
      ).then((found) => found!);
      expect(down.body.error.database.status).toBe('down');
      expect((await probe(t, '/health/live')).status).toBe(200);

      await onMaintenance(db.url, `ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await waitFor(
        async () => (await probe(t, '/health/ready')).status === 200,
        'readiness once the database is back',
        30_000,
      );
    });
  });
});
