import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Patch,
  Post,
} from '@nestjs/common';
import type { Actor } from '../../../auth/actor';
import { Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';
import { TokensService } from '../../../auth/tokens.service';
import { UsersService } from '../../../auth/users.service';
import { CreateTokenDto, CreateUserDto, UpdateUserDto } from './admin.dto';
import { toIssuedTokenDto, toTokenDto, toUserDto } from './admin-views';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator';
import { IssuedTokenDto, TokenDto, UserDto } from './admin-views.schema';

/** Admins manage users and their tokens. */
@ApiTags('identity')
@ApiBearerAuth()
@ApiProblems(400, 401, 403)
@Controller('api/v2/users')
@Authenticated({ role: 'admin' })
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a user (admin)' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiProblems(409)
  async create(@CurrentActor() actor: Actor, @Body() body: CreateUserDto) {
    return toUserDto(await this.users.create(actor, body));
  }

  @Get()
  @ApiOperation({ summary: 'List users (admin)' })
  @ApiOkResponse({ type: [UserDto] })
  async list(@CurrentActor() actor: Actor) {
    return (await this.users.list(actor)).map(toUserDto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one user (admin)' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(404)
  async get(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return toUserDto(await this.users.get(actor, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a user's role, groups or best priority (admin)" })
  @ApiOkResponse({ type: UserDto })
  @ApiProblems(404, 409)
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: UpdateUserDto,
  ) {
    return toUserDto(await this.users.update(actor, id, body));
  }

  /** The user and their tokens go; their requests stay. */
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user and their tokens; their requests stay (admin)' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(404, 409)
  async delete(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    await this.users.delete(actor, id);
  }

  /** A new token for the user: its secret is in this answer only. */
  @Post(':id/tokens')
  @ApiOperation({ summary: 'Issue a token for a user; its secret is in this answer only (admin)' })
  @ApiCreatedResponse({ type: IssuedTokenDto })
  @ApiProblems(404)
  async createToken(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: CreateTokenDto,
  ) {
    return toIssuedTokenDto(await this.tokens.issueUserToken(actor, id, body));
  }

  @Get(':id/tokens')
  @ApiOperation({ summary: "List a user's tokens, without secrets (admin)" })
  @ApiOkResponse({ type: [TokenDto] })
  @ApiProblems(404)
  async listTokens(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    await this.users.get(actor, id);
    return (await this.tokens.list(actor, { userId: id })).map(toTokenDto);
  }
}
