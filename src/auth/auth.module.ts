import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminTokenBootstrap } from './admin-token.bootstrap';
import { AuthGuard } from './auth.guard';
import { SessionsService } from './sessions.service';
import { TokenLookupCache } from './token-lookup-cache';
import { TokensService } from './tokens.service';
import { UsersService } from './users.service';

/** Users and tokens, without the guard: what the bootstrap command needs. */
@Module({
  providers: [TokensService, UsersService, SessionsService, TokenLookupCache],
  exports: [TokensService, UsersService, SessionsService],
})
export class IdentityModule {}

/** Identity plus the global guard that makes every caller an actor. */
@Module({
  imports: [IdentityModule],
  providers: [{ provide: APP_GUARD, useClass: AuthGuard }, AdminTokenBootstrap],
  exports: [IdentityModule],
})
export class AuthModule {}
