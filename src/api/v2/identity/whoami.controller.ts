import { Controller, Get } from '@nestjs/common';
import type { Actor } from '../../../auth/actor';
import { Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';

/** `GET /api/v2/whoami`: who the server takes the caller for (any token, agents' too). */
@Controller('api/v2/whoami')
@Authenticated({ role: 'any' })
export class WhoamiController {
  @Get()
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
