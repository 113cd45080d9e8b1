import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { who } from './access-policy';
import { Actor, anonymousActor } from './actor';
import { NotAllowedError, NotAuthenticatedError, UnknownTokenError } from './auth.errors';
import { ACCESS_RULE, AccessRule, AuthenticatedRequest } from './authenticated.decorator';
import { readCredential } from './credentials';
import { assertDashboardRequest, readSessionCookie } from './session-cookie';
import { SessionsService } from './sessions.service';
import { TokensService } from './tokens.service';

const V1_PREFIX = '/api/v1/';

/**
 * The one guard of every route (APP_GUARD): reads the credential, makes the caller an Actor
 * and checks it against the route's declared rule. Bearer tokens on every API; HTTP Basic
 * (the token as password) on API v1 too. API v1 callers without a credential get
 * LESHY_V1_ANONYMOUS_ROLE. Elsewhere, without an Authorization header, the dashboard's session
 * cookie is the credential (a change then needs `X-Leshy-Request: 1`, see session-cookie.ts);
 * with neither, a 401.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    private readonly sessions: SessionsService,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule) {
      this.logger.error(`${request.method} ${request.path} declares no access rule: refused`);
      throw new NotAllowedError(
        `${request.method} ${request.path} declares no access rule, so it is refused (a bug in Leshy)`,
      );
    }
    if (rule.need === 'anyone') return true;
    const actor = await this.actorOf(request, rule);
    this.check(actor, rule);
    request.actor = actor;
    return true;
  }

  private async actorOf(request: AuthenticatedRequest, rule: AccessRule): Promise<Actor> {
    const v1 = request.path.startsWith(V1_PREFIX);
    const credential = readCredential(request.headers.authorization, { basic: v1 });
    if (credential.kind === 'malformed') throw new NotAuthenticatedError(credential.why);
    if (credential.kind === 'none') {
      const session = v1 ? null : readSessionCookie(request.headers.cookie);
      if (session !== null) {
        const actor = await this.sessions.authenticate(session);
        assertDashboardRequest(request);
        return actor;
      }
      const role = this.config.v1AnonymousRole;
      if (v1 && role !== 'none') return anonymousActor(role);
      throw new NotAuthenticatedError(
        rule.need === 'agent'
          ? 'agents must send their agent token: "Authorization: Bearer <agent token>"'
          : v1
            ? 'API v1 on this server needs a token (LESHY_V1_ANONYMOUS_ROLE=none): put it in the server URL (http://user:TOKEN@host:8487) or send "Authorization: Bearer <token>"'
            : 'this call needs a token: send "Authorization: Bearer <token>"',
      );
    }
    try {
      return await this.tokens.authenticate(credential.secret);
    } catch (error) {
      if (rule.need === 'agent' && error instanceof UnknownTokenError)
        throw new NotAuthenticatedError(
          // The agent logs this reason as it is: say what an admin must change, on which side.
          this.config.agentToken
            ? "wrong agent token: server.token in the agent's config must be this board's agent token or the server's LESHY_AGENT_TOKEN"
            : "the server has no LESHY_AGENT_TOKEN set and this is not an agent token it issued: server.token in the agent's config must be this board's agent token",
        );
      throw error;
    }
  }

  private check(actor: Actor, rule: AccessRule): void {
    if (rule.need === 'any') return;
    if (rule.need === 'agent') {
      if (actor.role !== 'agent')
        throw new NotAllowedError(`${who(actor)} may not call this: it is for agents`);
      return;
    }
    if (actor.role === 'agent')
      throw new NotAllowedError(
        `${who(actor)} may not call this: agent tokens are for agents' calls`,
      );
    if (rule.need === 'admin' && actor.role !== 'admin')
      throw new NotAllowedError(
        `${who(actor)} may not call this: it is for admins${actor.kind === 'anonymous' ? ' (send an admin token)' : ''}`,
      );
  }
}
