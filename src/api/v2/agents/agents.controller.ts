import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ACTIVITY_PATH,
  AGENT_API_PREFIX,
  HEARTBEAT_PATH,
  RegisterAgentResponse,
} from 'dryad-agent/protocol';
import type { Actor } from '../../../auth/actor';
import { Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';
import { JobsService } from '../../../jobs/jobs.service';
import { ServerSshKeyService } from '../../../keys/server-ssh-key.service';
import { WorkersService } from '../../../workers/workers.service';
import { RegisterAgentDto, RegisterAgentResponseDto, ReportFailureDto } from './register-agent.dto';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator';

/**
 * Agent-facing endpoints: registration, failure reports, heartbeats, tester activity. Agent tokens only; which
 * worker an agent may speak for is WorkersService's decision (its own UUID).
 */
@ApiTags('agents')
@ApiBearerAuth()
@ApiProblems(401, 403)
@Controller(AGENT_API_PREFIX.replace(/^\//, ''))
@Authenticated({ role: 'agent' })
export class AgentsController {
  constructor(
    private readonly workers: WorkersService,
    private readonly serverKey: ServerSshKeyService,
    private readonly jobs: JobsService,
  ) {}

  @Post('register')
  @HttpCode(200)
  @ApiOperation({ summary: "Register the agent's board (agent token)" })
  @ApiOkResponse({ type: RegisterAgentResponseDto })
  @ApiProblems(400, 409, 410)
  async register(
    @Body() body: RegisterAgentDto,
    @CurrentActor() actor: Actor,
  ): Promise<RegisterAgentResponse> {
    const { agentVersion: _version, ...registration } = body;
    const worker = await this.workers.register(registration, actor);
    return { serverPublicKey: this.serverKey.publicKey, state: worker.state };
  }

  @Post(':uuid/fail')
  @HttpCode(204)
  @ApiOperation({ summary: 'Report that the board failed (its agent)' })
  @ApiNoContentResponse({ description: 'Recorded; the worker is FAILED.' })
  @ApiProblems(400, 404)
  async fail(
    @Param('uuid', new ParseUUIDPipe()) uuid: string,
    @Body() body: ReportFailureDto,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.workers.reportFailure(uuid, body.reason, actor);
  }

  @Post(`:uuid/${HEARTBEAT_PATH}`)
  @HttpCode(204)
  @ApiOperation({ summary: 'The agent is alive (its agent)' })
  @ApiNoContentResponse({ description: 'Recorded.' })
  @ApiProblems(400, 404)
  async heartbeat(
    @Param('uuid', new ParseUUIDPipe()) uuid: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.workers.heartbeat(uuid, actor);
  }

  /** Tester activity: the running job's idle deadline moves forward (LESHY_IDLE_JOB_TIMEOUT). */
  @Post(`:uuid/${ACTIVITY_PATH}`)
  @HttpCode(204)
  @ApiOperation({
    summary: "A tester is at work on the board: the job's idle deadline moves on (its agent)",
  })
  @ApiNoContentResponse({ description: 'Recorded.' })
  @ApiProblems(400, 404)
  async activity(
    @Param('uuid', new ParseUUIDPipe()) uuid: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.jobs.reportActivity(uuid, actor);
  }
}
