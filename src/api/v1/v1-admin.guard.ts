import { CanActivate, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { V1AdminOnlyError } from './v1.errors';

/**
 * Admin calls of API v1 (setstate, setgroups, deregister). v1 has no authentication, so what
 * an anonymous client may do is LESHY_V1_ANONYMOUS_ROLE's decision.
 */
@Injectable()
export class V1AdminGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (this.config.v1AnonymousRole !== 'admin') throw new V1AdminOnlyError();
    return true;
  }
}
