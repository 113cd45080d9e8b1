import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { systemActor } from './actor';
import { UsersService } from './users.service';

/** The admin LESHY_ADMIN_TOKEN belongs to, unless a user of that name exists and is an admin. */
export const ADMIN_TOKEN_USER = 'admin';

/**
 * LESHY_ADMIN_TOKEN, for unattended installs: at start-up, the admin `admin` holds this token
 * (created if needed). A start-up with a token of a non-admin refuses to go on.
 */
@Injectable()
export class AdminTokenBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminTokenBootstrap.name);

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.adminToken) return;
    const outcome = await this.users.ensureAdminToken(
      systemActor('start-up'),
      ADMIN_TOKEN_USER,
      this.config.adminToken,
    );
    this.logger.log(outcome);
  }
}
