import {
  Body,
  Controller,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  UseFilters,
  UseGuards,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { AGENT_API_PREFIX, HEARTBEAT_PATH, RegisterAgentResponse } from 'dryad-agent/protocol';
import { agentActor } from '../../../auth/actor';
import { ServerSshKeyService } from '../../../keys/server-ssh-key.service';
import { WorkersService } from '../../../workers/workers.service';
import { ProblemDetailsFilter } from '../common/problem-details.filter';
import { AgentTokenGuard } from './agent-token.guard';
import { RegisterAgentDto, ReportFailureDto } from './register-agent.dto';

/** Agent-facing endpoints: registration, failure reports, heartbeats. */
@Controller(AGENT_API_PREFIX.replace(/^\//, ''))
@UseGuards(AgentTokenGuard)
@UseFilters(ProblemDetailsFilter)
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class AgentsController {
  constructor(
    private readonly workers: WorkersService,
    private readonly serverKey: ServerSshKeyService,
  ) {}

  @Post('register')
  @HttpCode(200)
  async register(@Body() body: RegisterAgentDto): Promise<RegisterAgentResponse> {
    const { agentVersion: _version, ...registration } = body;
    const worker = await this.workers.register(registration, agentActor(body.uuid, null));
    return { serverPublicKey: this.serverKey.publicKey, state: worker.state };
  }

  @Post(':uuid/fail')
  @HttpCode(204)
  async fail(
    @Param('uuid', new ParseUUIDPipe()) uuid: string,
    @Body() body: ReportFailureDto,
  ): Promise<void> {
    await this.workers.reportFailure(uuid, body.reason, agentActor(null, null));
  }

  @Post(`:uuid/${HEARTBEAT_PATH}`)
  @HttpCode(204)
  async heartbeat(@Param('uuid', new ParseUUIDPipe()) uuid: string): Promise<void> {
    await this.workers.heartbeat(uuid, agentActor(null, null));
  }
}
