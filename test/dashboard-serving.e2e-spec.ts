import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { dashboardDirectory } from '../src/dashboard/dashboard-files';
import { rawRequest } from './support/http-client';
import { ServerProcess, startServer } from './support/server-process';

/**
 * The built dashboard at `/`, beside the APIs: it shadows none of their paths, unknown API
 * paths keep their error format, and the page says where its scripts may come from. A real
 * server process: @nestjs/serve-static mounts itself on the HTTP adapter of NestFactory.create,
 * which an in-process testing module does not have when its providers are built.
 */
describe('the dashboard served at /', () => {
  let server: ServerProcess;
  let base: string;

  beforeAll(async () => {
    if (!dashboardDirectory()) throw new Error('dist/web is missing: run "npm run build" first');
    server = await startServer();
    base = server.baseUrl;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers / with the page, never cached, scripts from this server only', async () => {
    const page = await rawRequest(base, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.header('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('<div id="app">');
    expect(page.header('cache-control')).toBe('no-cache');
    expect(page.header('content-security-policy')).toContain("default-src 'self'");
    expect(page.body).not.toMatch(/https?:\/\//);
  });

  it('serves the hashed assets, cached for good', async () => {
    const assets = readdirSync(path.join(dashboardDirectory()!, 'assets'));
    const script = assets.find((name) => name.endsWith('.js'))!;
    const response = await rawRequest(base, 'GET', `/assets/${script}`);
    expect(response.status).toBe(200);
    expect(response.header('content-type')).toMatch(/javascript/);
    expect(response.header('cache-control')).toContain('immutable');
  });

  it('shadows no API: /health, /metrics and API routes answer as before', async () => {
    expect((await rawRequest(base, 'GET', '/health')).status).toBe(200);
    const metrics = await rawRequest(base, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('leshy_');
    const whoami = await rawRequest(base, 'GET', '/api/v2/whoami');
    expect(whoami.status).toBe(401);
    expect(whoami.header('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('answers unknown paths, under /api or not, with problem+json 404, not the page', async () => {
    for (const p of [
      '/api/v2/no-such-thing',
      '/api/v2/',
      '/no-such-page',
      '/index',
      '/assets/x.js',
    ]) {
      const response = await rawRequest(base, 'GET', p);
      expect({ p, status: response.status }).toEqual({ p, status: 404 });
      expect(response.header('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).not.toContain('<div id="app">');
    }
  });
});
