import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { RequestsV1Controller } from './requests-v1.controller';
import { API_V1_PREFIX, hasV1Route, V1_ROUTES, v1RouteTemplate } from './v1-routes';
import { VersionV1Controller } from './version-v1.controller';
import { WorkersV1Controller } from './workers-v1.controller';

/** The routes the controllers declare, as "METHOD /path" relative to the v1 prefix. */
function declaredRoutes(): string[] {
  const routes: string[] = [];
  for (const controller of [RequestsV1Controller, WorkersV1Controller, VersionV1Controller]) {
    const base = `/${Reflect.getMetadata(PATH_METADATA, controller) as string}`;
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as unknown as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (path === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      // Upstream's collection routes end in a slash; Nest declares them without one.
      const full = path === '/' ? `${base}/` : `${base}/${path}`;
      routes.push(`${method} ${full.slice(API_V1_PREFIX.length) || '/'}`);
    }
  }
  return routes;
}

describe('API v1 route table', () => {
  it('is exactly what the controllers serve', () => {
    const table = V1_ROUTES.map((r) => `${r.method} ${r.path}`);
    const declared = declaredRoutes().map((r) => (r === 'GET /version/' ? 'GET /version' : r));
    expect(declared.sort()).toEqual(table.sort());
  });

  it('routes as upstream: static before parameters, HEAD as GET, trailing slash significant', () => {
    expect(hasV1Route('POST', '/reqs/list')).toBe(true);
    expect(hasV1Route('GET', '/reqs/list')).toBe(true); // → GET /reqs/:id, a 400
    expect(hasV1Route('HEAD', '/workers/x')).toBe(true);
    expect(hasV1Route('DELETE', '/reqs/1')).toBe(false);
    expect(hasV1Route('POST', '/reqs')).toBe(false);
    expect(hasV1Route('GET', '/reqs/1/')).toBe(false);
    expect(hasV1Route('GET', '/reqs//close')).toBe(false);
  });

  it('names the template a path matched, static segments first (the metrics route label)', () => {
    expect(v1RouteTemplate('POST', '/reqs/list')).toBe('/reqs/list');
    expect(v1RouteTemplate('HEAD', '/reqs/17')).toBe('/reqs/:id');
    expect(v1RouteTemplate('POST', '/workers/abc/setstate')).toBe('/workers/:id/setstate');
    expect(v1RouteTemplate('GET', '/nothing/here')).toBeUndefined();
  });
});
