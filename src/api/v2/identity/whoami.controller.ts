import { Controller, Get } from '@nestjs/common';
import type { Actor } from '../../../auth/actor';
import { Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator';
import { WhoamiDto } from './whoami.schema';

/** `GET /api/v2/whoami`: who the server takes the caller for (any token, agents' too). */
@ApiTags('identity')
@ApiBearerAuth()
@Controller('api/v2/whoami')
@Authenticated({ role: 'any' })
export class WhoamiController {
  @Get()
  @ApiOperation({ summary: 'Who the server takes the caller for (any token, agents too)' })
  @ApiOkResponse({ type: WhoamiDto })
  @ApiProblems(401)
  whoami(@CurrentActor() actor: Actor) {
    return {
      kind: actor.kind,
      name: actor.label,
      role: actor.role,
      userId: actor.kind === 'user' ? Number(actor.id) : null,
      workerUuid: actor.kind === 'agent' ? actor.id : null,
      groups: actor.groups,
      bestPriority: actor.bestPriority,
    };
  }
}
