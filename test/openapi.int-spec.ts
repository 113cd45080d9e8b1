import { ACCESS_RULE, AccessRule } from '../src/auth/authenticated.decorator';
import { rawRequest } from './support/http-client';
import { ServedRoute, servedRoutes } from './support/served-routes';
import { startTestAppPerSuite, TestApp } from './support/test-app';

interface Operation {
  summary?: string;
  security?: Array<Record<string, unknown>>;
  responses?: Record<string, unknown>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes?: Record<string, { type: string; scheme?: string }> };
}

/** A route that needs no credential (@Anonymous) takes no bearer token either. */
function anonymous(route: ServedRoute): boolean {
  const handler = (route.controller.prototype as Record<string, object>)[route.handler];
  const rule = (Reflect.getMetadata(ACCESS_RULE, handler) ??
    Reflect.getMetadata(ACCESS_RULE, route.controller)) as AccessRule | undefined;
  return rule?.need === 'anyone';
}

/** `/api/v2/users/:id` as OpenAPI writes it: `/api/v2/users/{id}`. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('OpenAPI: the document of API v2, built from the code', () => {
  let t: TestApp;
  let baseUrl: string;
  let document: Document;
  startTestAppPerSuite((app) => (t = app), { http: true });

  beforeAll(async () => {
    baseUrl = await t.app.getUrl();
    const response = await rawRequest(baseUrl, 'GET', '/api/docs-json');
    expect(response.status).toBe(200);
    document = JSON.parse(response.body) as Document;
  });

  it('is served to anyone at /api/docs-json, with the bearer scheme declared', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.values(document.components.securitySchemes ?? {})).toContainEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
  });

  it('has a browsable UI at /api/docs, for anyone', async () => {
    const page = await rawRequest(baseUrl, 'GET', '/api/docs');
    expect(page.status).toBe(200);
    expect(page.header('content-type')).toMatch(/text\/html/);
    expect(page.body).toContain('swagger');
  });

  it('describes every API v2 route the app serves, each with a summary and its answers', () => {
    const v2 = servedRoutes(t).filter((r) => r.path.startsWith('/api/v2/'));
    expect(v2.length).toBeGreaterThan(15);
    const problems: string[] = [];
    for (const route of v2) {
      const operation = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      const name = `${route.method} ${route.path} (${route.controller.name}.${route.handler})`;
      if (!operation) problems.push(`${name} is missing from /api/docs-json`);
      else {
        if (!operation.summary) problems.push(`${name} has no summary (@ApiOperation)`);
        if (!anonymous(route) && !operation.security?.some((s) => 'bearer' in s))
          problems.push(`${name} does not say it takes a bearer token (@ApiBearerAuth)`);
        if (!Object.keys(operation.responses ?? {}).some((status) => status.startsWith('4')))
          problems.push(`${name} documents no error answer (@ApiProblems)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('leaves API v1 out of the document and in working order', async () => {
    expect(Object.keys(document.paths).filter((p) => !p.startsWith('/api/v2/'))).toEqual([]);
    const version = await rawRequest(baseUrl, 'GET', '/api/v1/version');
    expect(version.status).toBe(200);
    expect(version.header('content-type')).toMatch(/application\/json/);
    // Upstream's version-less /api/<x> still redirects to v1, docs or not.
    const redirect = await rawRequest(baseUrl, 'GET', '/api/reqs/');
    expect(redirect.status).toBe(308);
  });
});
