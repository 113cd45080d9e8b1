import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../../config/app-config';

/**
 * Agents authenticate with a bearer token: the shared secret LESHY_AGENT_TOKEN until per-agent
 * tokens arrive with the auth module.
 */
@Injectable()
export class AgentTokenGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.agentToken;
    if (!expected) {
      // The agent logs this reason as it is: say what an admin must change, on which side.
      throw new UnauthorizedException(
        'the server has no LESHY_AGENT_TOKEN set: no agent can register until it is',
      );
    }
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const given = /^Bearer (.+)$/.exec(header)?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new UnauthorizedException(
        "wrong agent token: server.token in the agent's config must be the server's LESHY_AGENT_TOKEN",
      );
    }
    return true;
  }
}
