import { Module } from '@nestjs/common';
import { IdentityModule } from '../../../auth/auth.module';
import { SessionController } from '../identity/session.controller';
import { WhoamiController } from '../identity/whoami.controller';
import { TokensController } from './tokens.controller';
import { UsersController } from './users.controller';

/**
 * API v2's identity routes: users, tokens, agent tokens (admins), whoami (everyone) and the
 * dashboard's session.
 */
@Module({
  imports: [IdentityModule],
  controllers: [UsersController, TokensController, WhoamiController, SessionController],
})
export class IdentityApiModule {}
