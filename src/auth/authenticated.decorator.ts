import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from './actor';

/**
 * What a route needs, declared next to it; the global AuthGuard enforces it and refuses every
 * route that declares nothing (a forgotten decorator fails closed).
 *
 * - `lab-user`: testers and admins (and anonymous API v1 callers, as LESHY_V1_ANONYMOUS_ROLE
 *   allows); what each may do beyond that is the service's decision (ownership);
 * - `admin`: admins only;
 * - `agent`: agent tokens (per-agent or the enrollment token);
 * - `any`: any authenticated caller, agents included (whoami);
 * - `anyone`: no credential needed (health).
 */
export type AccessRule = { need: 'lab-user' | 'admin' | 'agent' | 'any' | 'anyone' };

export const ACCESS_RULE = 'leshy:access-rule';

export function Authenticated(options: { role?: 'admin' | 'agent' | 'any' } = {}) {
  return SetMetadata<string, AccessRule>(ACCESS_RULE, { need: options.role ?? 'lab-user' });
}

/** No credential needed: for what load balancers and monitors poll. */
export function Anonymous() {
  return SetMetadata<string, AccessRule>(ACCESS_RULE, { need: 'anyone' });
}

/** The request as the guard leaves it. */
export interface AuthenticatedRequest extends Request {
  actor?: Actor;
}

/** The caller the guard authenticated (routes with @Authenticated only). */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  if (!actor) throw new Error('CurrentActor on a route without @Authenticated');
  return actor;
});
