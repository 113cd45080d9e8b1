import type { NextFunction, Request, Response } from 'express';
import { markListCall } from './v1-exception.filter';
import { messageReply, writeV1Reply, EXPOSED_HEADERS } from './v1-reply';
import { API_V1_PREFIX, hasV1Route, isV1ListCall } from './v1-routes';

/** Largest request body API v1 reads (upstream had no limit; its bodies are a few hundred bytes). */
export const V1_MAX_BODY_BYTES = 1024 * 1024;

/**
 * First segments under /api/ that belong to Leshy's own APIs. Every other /api/<x> is upstream's
 * "no API version" form and is redirected to /api/v1/<x>.
 */
const NATIVE_API_SEGMENTS = new Set(['v2', 'docs', 'docs-json', 'docs-yaml']);

/** Whether `path` is API v1's (or upstream's version-less /api/<x>), whose errors are upstream's. */
export function isV1Path(path: string): boolean {
  return path.startsWith('/api/') && !NATIVE_API_SEGMENTS.has(path.split('/')[2]);
}

/** Methods and headers upstream's CORS layer (rs/cors with its defaults) allows. */
const CORS_METHODS = new Set(['GET', 'POST', 'HEAD']);
const CORS_HEADERS = new Set(['Origin', 'Accept', 'Content-Type', 'X-Requested-With']);
const CORS_MAX_AGE = '86400';

/** The raw request body, read by the front door before any body parser can touch it. */
export interface V1Request extends Request {
  v1Body?: Buffer;
}

/** Go's http.CanonicalHeaderKey: `content-type` → `Content-Type`. */
function canonicalHeader(name: string): string {
  return name
    .toLowerCase()
    .split('-')
    .map((part) => (part ? part[0].toUpperCase() + part.slice(1) : part))
    .join('-');
}

function htmlEscape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': '#34', "'": '#39' }[c]};`,
  );
}

/** Go's http.Redirect with 308: an HTML note for GET and HEAD, nothing for other methods. */
function redirect(req: Request, res: Response, location: string): void {
  res.statusCode = 308;
  res.setHeader('Location', location);
  if (req.method === 'GET' || req.method === 'HEAD') {
    const body = Buffer.from(`<a href="${htmlEscape(location)}">Permanent Redirect</a>.\n\n`);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  } else {
    res.setHeader('Content-Length', 0);
    res.end();
  }
}

/** rs/cors's answer to a preflight: what the browser asked for, if allowed, for a day. */
function answerPreflight(req: Request, res: Response): void {
  res.setHeader('Vary', [
    'Origin',
    'Access-Control-Request-Method',
    'Access-Control-Request-Headers',
  ]);
  const method = String(req.headers['access-control-request-method']).toUpperCase();
  const requested = String(req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h.length > 0)
    .map(canonicalHeader);
  const allowed =
    req.headers.origin !== undefined &&
    (method === 'OPTIONS' || CORS_METHODS.has(method)) &&
    requested.every((h) => CORS_HEADERS.has(h));
  if (allowed) {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Methods', method);
    if (requested.length > 0) res.setHeader('Access-Control-Allow-Headers', requested.join(', '));
    res.setHeader('Access-Control-Max-Age', CORS_MAX_AGE);
  }
  res.statusCode = 200;
  res.setHeader('Content-Length', 0);
  res.end();
}

function readBody(req: Request): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > V1_MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The part of API v1 that sits in front of Nest's router, installed before Nest's body parsers
 * (see installApiV1). For /api/v1 and version-less /api paths it gives upstream's answers where
 * Express would give its own: CORS as rs/cors did it (`Vary: Origin` on everything), no
 * X-Powered-By, 308 redirects for the missing API version and for trailing slashes, 404 JSON for
 * unknown paths and methods, and the raw body, which v1 decodes with Go's rules itself.
 * /api/v2, /api/docs, /health and everything else pass through untouched.
 */
export function apiV1FrontDoor(req: Request, res: Response, next: NextFunction): void {
  const url = req.url;
  const queryAt = url.indexOf('?');
  const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = queryAt < 0 ? '' : url.slice(queryAt);
  if (!rawPath.startsWith('/api/')) return next();
  const first = rawPath.split('/')[2];
  if (NATIVE_API_SEGMENTS.has(first)) return next();

  res.removeHeader('X-Powered-By');
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
    return answerPreflight(req, res);
  }
  res.setHeader('Vary', 'Origin');
  if (req.headers.origin !== undefined && CORS_METHODS.has(req.method)) {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS.join(', '));
  }

  if (first !== 'v1') {
    return redirect(req, res, `${API_V1_PREFIX}/${rawPath.slice('/api/'.length)}${query}`);
  }
  // Routes are matched on the path as sent, as Express will route it (an encoded slash never
  // splits a segment); the 404 message shows it decoded, as Go's r.URL.Path.
  let path = rawPath.slice(API_V1_PREFIX.length);
  if (path === '//version') {
    // The Go client's Version() asks for /api/v1//version; it means /api/v1/version.
    path = '/version';
    req.url = `${API_V1_PREFIX}${path}${query}`;
  }
  if (!hasV1Route(req.method, path)) {
    const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
    if (path !== '' && hasV1Route(req.method, other)) {
      return redirect(req, res, `${API_V1_PREFIX}${other}${query}`);
    }
    return writeV1Reply(req, res, messageReply(404, `${decodePath(rawPath)} not found`));
  }
  // Known before any guard runs, so a refused list call carries its headers too.
  if (isV1ListCall(req.method, path)) markListCall(res);
  readBody(req).then(
    (body) => {
      if (body === null) {
        res.setHeader('Connection', 'close');
        return writeV1Reply(
          req,
          res,
          messageReply(
            413,
            `request body too large: API v1 reads at most ${V1_MAX_BODY_BYTES} bytes`,
          ),
        );
      }
      (req as V1Request).v1Body = body;
      next();
    },
    (error: unknown) => next(error),
  );
}
