/**
 * API v1's routes as data, in upstream's routing terms: the controllers declare the same paths
 * (checked by v1-routes.spec.ts), and the front door uses this table for what Express cannot do
 * the upstream way: trailing-slash redirects, and 404 (never 405) for unknown paths and methods.
 */
export const API_V1_PREFIX = '/api/v1';

export type V1Method = 'GET' | 'POST';

export interface V1Route {
  /** GET routes also answer HEAD. */
  method: V1Method;
  /** Relative to API_V1_PREFIX; `:id` is one non-empty segment. Trailing slash significant. */
  path: string;
  /** A list call: every answer, errors too, carries Boruta-List-* headers. */
  list?: true;
}

export const V1_ROUTES: readonly V1Route[] = [
  { method: 'GET', path: '/reqs/', list: true },
  { method: 'POST', path: '/reqs/' },
  { method: 'POST', path: '/reqs/list', list: true },
  { method: 'GET', path: '/reqs/:id' },
  { method: 'POST', path: '/reqs/:id' },
  { method: 'POST', path: '/reqs/:id/close' },
  { method: 'POST', path: '/reqs/:id/acquire_worker' },
  { method: 'POST', path: '/reqs/:id/prolong' },
  { method: 'GET', path: '/workers/', list: true },
  { method: 'POST', path: '/workers/list', list: true },
  { method: 'GET', path: '/workers/:id' },
  { method: 'POST', path: '/workers/:id/setstate' },
  { method: 'POST', path: '/workers/:id/setgroups' },
  { method: 'POST', path: '/workers/:id/deregister' },
  { method: 'GET', path: '/version' },
];

function matches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return false;
  return want.every((segment, i) =>
    segment.startsWith(':') ? got[i].length > 0 : segment === got[i],
  );
}

function routeOf(method: string, path: string): V1Route | undefined {
  const wanted = method === 'HEAD' ? 'GET' : method;
  return V1_ROUTES.find((route) => route.method === wanted && matches(route.path, path));
}

/** The template of the v1 route that answers `method` at `path` (relative to the prefix). */
export function v1RouteTemplate(method: string, path: string): string | undefined {
  return routeOf(method, path)?.path;
}

/** Whether a v1 route answers `method` at `path` (relative to the prefix, case-sensitive). */
export function hasV1Route(method: string, path: string): boolean {
  return routeOf(method, path) !== undefined;
}

/** Whether `method` at `path` is a list call (see V1Route.list). */
export function isV1ListCall(method: string, path: string): boolean {
  return routeOf(method, path)?.list === true;
}
