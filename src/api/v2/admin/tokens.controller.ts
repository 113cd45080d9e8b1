import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import type { Actor } from '../../../auth/actor';
import { Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';
import { TokensService } from '../../../auth/tokens.service';
import { CreateAgentTokenDto } from './admin.dto';
import { toIssuedTokenDto, toTokenDto } from './admin-views';

/** Admins list and revoke every token, and issue agent tokens. */
@Controller('api/v2')
@Authenticated({ role: 'admin' })
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  /** Every token, newest first, without secrets. */
  @Get('tokens')
  async list(@CurrentActor() actor: Actor) {
    return (await this.tokens.list(actor)).map(toTokenDto);
  }

  /** Revoked at once; the row stays, so the audit log and the list still show it. */
  @Post('tokens/:id/revoke')
  @HttpCode(200)
  async revoke(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return toTokenDto(await this.tokens.revoke(actor, id));
  }

  /**
   * A token for one agent: bound to `workerUuid`, or to the first worker that registers with
   * it. Its secret is in this answer only.
   */
  @Post('agent-tokens')
  async createAgentToken(@CurrentActor() actor: Actor, @Body() body: CreateAgentTokenDto) {
    return toIssuedTokenDto(
      await this.tokens.issueAgentToken(actor, body.workerUuid ?? null, body),
    );
  }
}
