import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Actor } from '../../../auth/actor';
import { Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';
import { AdmissionView } from '../../../workers/worker-admission';
import { WorkersService } from '../../../workers/workers.service';
import { AdmissionDto } from './worker-v2.view';

/**
 * POST /api/v2/workers/:uuid/admit: an admin lets a deregistered board register again. Its
 * agent's next registration is accepted; the worker comes back in MAINTENANCE.
 */
@ApiTags('workers')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No credential, or one this server does not accept' })
@ApiForbiddenResponse({ description: 'Admins only' })
@Controller('api/v2/workers')
@Authenticated({ role: 'admin' })
export class WorkerAdmissionController {
  constructor(private readonly workers: WorkersService) {}

  @Post(':uuid/admit')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Let a deregistered board register again (it comes back in MAINTENANCE)',
  })
  @ApiOkResponse({ type: AdmissionDto })
  @ApiNotFoundResponse({ description: 'The UUID is not deregistered' })
  @ApiConflictResponse({ description: 'The worker is registered: nothing to admit' })
  async admit(@Param('uuid') uuid: string, @CurrentActor() actor: Actor): Promise<AdmissionView> {
    return this.workers.admit(uuid, actor);
  }
}
