import type { Request } from 'express';
import { NotAllowedError } from './auth.errors';

/**
 * The dashboard's session cookie and the rules around it. The cookie is HttpOnly (no script
 * reads it) and SameSite=Strict (no other site's page sends it); a cookie-authenticated call
 * that changes something must also carry `X-Leshy-Request: 1`, a header a cross-site form
 * or image cannot send and a cross-site script may only send after a CORS preflight this
 * server never grants.
 */
export const SESSION_COOKIE = 'leshy_session';
export const CSRF_HEADER = 'x-leshy-request';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session cookie's value in a `Cookie` header, if any. */
export function readSessionCookie(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return value === '' ? null : value;
  }
  return null;
}

/** 403 unless a cookie-authenticated call that changes something says it is the dashboard's. */
export function assertDashboardRequest(request: Request): void {
  if (SAFE_METHODS.has(request.method)) return;
  if (request.headers[CSRF_HEADER] === '1') return;
  throw new NotAllowedError(
    `${request.method} ${request.path} with the session cookie needs the header "X-Leshy-Request: 1" (cross-site request protection); scripts and CLIs send "Authorization: Bearer <token>" instead`,
  );
}
