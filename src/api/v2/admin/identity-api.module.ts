import { Module } from '@nestjs/common';
import { IdentityModule } from '../../../auth/auth.module';
import { WhoamiController } from '../identity/whoami.controller';
import { TokensController } from './tokens.controller';
import { UsersController } from './users.controller';

/** API v2's identity routes: users, tokens, agent tokens (admins) and whoami (everyone). */
@Module({
  imports: [IdentityModule],
  controllers: [UsersController, TokensController, WhoamiController],
})
export class IdentityApiModule {}
