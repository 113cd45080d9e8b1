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
import { RegisterAgentDto, ReportFailureDto } from './register-agent.dto';

/**
 * Agent-facing endpoints: registration, failure reports, heartbeats, tester activity. Agent tokens only; which
 * worker an agent may speak for is WorkersService's decision (its own UUID).
 */
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
  async fail(
    @Param('uuid', new ParseUUIDPipe()) uuid: string,
    @Body() body: ReportFailureDto,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.workers.reportFailure(uuid, body.reason, actor);
  }

  @Post(`:uuid/${HEARTBEAT_PATH}`)
  @HttpCode(204)
  async heartbeat(
    @Param('uuid', new ParseUUIDPipe()) uuid: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.workers.heartbeat(uuid, actor);
  }

  /** Tester activity: the running job's idle deadline moves forward (LESHY_IDLE_JOB_TIMEOUT). */
  @Post(`:uuid/${ACTIVITY_PATH}`)
  @HttpCode(204)
  async activity(
    @Param('uuid', new ParseUUIDPipe()) uuid: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.jobs.reportActivity(uuid, actor);
  }
}
