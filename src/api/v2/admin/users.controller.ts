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

/** Admins manage users and their tokens. */
@Controller('api/v2/users')
@Authenticated({ role: 'admin' })
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
  ) {}

  @Post()
  async create(@CurrentActor() actor: Actor, @Body() body: CreateUserDto) {
    return toUserDto(await this.users.create(actor, body));
  }

  @Get()
  async list(@CurrentActor() actor: Actor) {
    return (await this.users.list(actor)).map(toUserDto);
  }

  @Get(':id')
  async get(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return toUserDto(await this.users.get(actor, id));
  }

  @Patch(':id')
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
  async delete(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    await this.users.delete(actor, id);
  }

  /** A new token for the user: its secret is in this answer only. */
  @Post(':id/tokens')
  async createToken(
    @CurrentActor() actor: Actor,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: CreateTokenDto,
  ) {
    return toIssuedTokenDto(await this.tokens.issueUserToken(actor, id, body));
  }

  @Get(':id/tokens')
  async listTokens(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    await this.users.get(actor, id);
    return (await this.tokens.list(actor, { userId: id })).map(toTokenDto);
  }
}
