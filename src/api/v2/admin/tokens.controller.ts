import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import type { Actor } from '../../../auth/actor';
import { Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';
import { TokensService } from '../../../auth/tokens.service';
import { CreateAgentTokenDto } from './admin.dto';
import { toIssuedTokenDto, toTokenDto } from './admin-views';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator';
import { IssuedTokenDto, TokenDto } from './admin-views.schema';

/** Admins list and revoke every token, and issue agent tokens. */
@ApiTags('identity')
@ApiBearerAuth()
@ApiProblems(401, 403)
@Controller('api/v2')
@Authenticated({ role: 'admin' })
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  /** Every token, newest first, without secrets. */
  @Get('tokens')
  @ApiOperation({ summary: 'List every token, newest first, without secrets (admin)' })
  @ApiOkResponse({ type: [TokenDto] })
  async list(@CurrentActor() actor: Actor) {
    return (await this.tokens.list(actor)).map(toTokenDto);
  }

  /** Revoked at once; the row stays, so the audit log and the list still show it. */
  @Post('tokens/:id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a token at once (admin)' })
  @ApiOkResponse({ type: TokenDto })
  @ApiProblems(400, 404)
  async revoke(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return toTokenDto(await this.tokens.revoke(actor, id));
  }

  /**
   * A token for one agent: bound to `workerUuid`, or to the first worker that registers with
   * it. Its secret is in this answer only.
   */
  @Post('agent-tokens')
  @ApiOperation({
    summary: 'Issue an agent token, bound to one worker; its secret is in this answer only (admin)',
  })
  @ApiCreatedResponse({ type: IssuedTokenDto })
  @ApiProblems(400)
  async createAgentToken(@CurrentActor() actor: Actor, @Body() body: CreateAgentTokenDto) {
    return toIssuedTokenDto(
      await this.tokens.issueAgentToken(actor, body.workerUuid ?? null, body),
    );
  }
}
