import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { Actor } from '../../../auth/actor';
import { Authenticated, CurrentActor } from '../../../auth/authenticated.decorator';
import { AdmissionView } from '../../../workers/worker-admission';
import { WorkersService } from '../../../workers/workers.service';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-problems.decorator';
import { AdmissionDto } from './worker-admission.schema';

/**
 * POST /api/v2/workers/:uuid/admit: an admin lets a deregistered board register again. Its
 * agent's next registration is accepted; the worker comes back in MAINTENANCE.
 */
@ApiTags('workers')
@ApiBearerAuth()
@Controller('api/v2/workers')
@Authenticated({ role: 'admin' })
export class WorkerAdmissionController {
  constructor(private readonly workers: WorkersService) {}

  @Post(':uuid/admit')
  @HttpCode(200)
  @ApiOperation({ summary: 'Let a deregistered board register again (admin)' })
  @ApiOkResponse({ type: AdmissionDto })
  @ApiProblems(401, 403, 404, 409)
  async admit(@Param('uuid') uuid: string, @CurrentActor() actor: Actor): Promise<AdmissionView> {
    return this.workers.admit(uuid, actor);
  }
}
