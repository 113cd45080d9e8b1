import { CanActivate, ForbiddenException, Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';

/**
 * The admin check of API v2's admin routes until API v2 has authentication of its own: the
 * same decision API v1's admin calls take today (V1AdminGuard), LESHY_V1_ANONYMOUS_ROLE=admin,
 * answered in problem+json. To be replaced by the global guard's admin role.
 */
@Injectable()
export class InterimAdminGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (this.config.v1AnonymousRole !== 'admin') {
      throw new ForbiddenException(
        `this call is for administrators, and anonymous callers are ${this.config.v1AnonymousRole}s on this server (LESHY_V1_ANONYMOUS_ROLE=${this.config.v1AnonymousRole}; admin calls need LESHY_V1_ANONYMOUS_ROLE=admin until API v2 authentication lands)`,
      );
    }
    return true;
  }
}
