import { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { API_V1_PREFIX, v1RouteTemplate } from '../api/v1/v1-routes';
import { HttpRequestsCollector } from './http-requests.collector';

/** The `route` label of requests that matched no route (404s, redirects): one value for all. */
export const UNMATCHED_ROUTE = '(unmatched)';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The route template a request was answered by. API v1 paths are looked up in v1's own route
 * table (its front door answers some of them before Nest's router, e.g. 413), so they read as
 * upstream writes them (`/api/v1/reqs/:id`); other routes are Express's (`/health`). A path no
 * route matched is UNMATCHED_ROUTE, whatever it was.
 */
export function routeTemplateOf(req: Request): string {
  const url = req.url;
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  if (path.startsWith(`${API_V1_PREFIX}/`)) {
    const template = v1RouteTemplate(req.method, path.slice(API_V1_PREFIX.length));
    return template === undefined ? UNMATCHED_ROUTE : `${API_V1_PREFIX}${template}`;
  }
  const route = (req as Request & { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' ? route.path : UNMATCHED_ROUTE;
}

/** Counts every answered request, by method, route template and status, once it is sent. */
export function httpMetricsMiddleware(collector: HttpRequestsCollector) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    res.once('finish', () => {
      const method = KNOWN_METHODS.has(req.method) ? req.method : 'OTHER';
      collector.record(
        method,
        routeTemplateOf(req),
        res.statusCode,
        (performance.now() - started) / 1000,
      );
    });
    next();
  };
}

/**
 * Installs the HTTP metrics in front of everything else, API v1's front door included (it
 * answers some requests itself, which later middleware would never see). Call it before
 * installApiV1 and before the app is initialised.
 */
export function installHttpMetrics(app: INestApplication): void {
  app.use(httpMetricsMiddleware(app.get(HttpRequestsCollector)));
}
