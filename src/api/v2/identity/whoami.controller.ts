import { Controller, Get } from '@nestjs/common';
import type { Actor } from '../../../auth/actor';
import { Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';
import { whoamiView } from './whoami-view';

/** `GET /api/v2/whoami`: who the server takes the caller for (any token, agents' too). */
@Controller('api/v2/whoami')
@Authenticated({ role: 'any' })
export class WhoamiController {
  @Get()
  whoami(@CurrentActor() actor: Actor) {
    return whoamiView(actor);
  }
}
