import { Controller, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { AdmissionView } from '../../../workers/worker-admission';
import { WorkersService } from '../../../workers/workers.service';
import { ProblemDetailsFilter } from '../common/problem-details.filter';
import { InterimAdminGuard } from './interim-admin.guard';

/** The actor of anonymous admin calls until API v2 authenticates its callers. */
const ANONYMOUS_ADMIN = 'v2:anonymous';

/**
 * POST /api/v2/workers/:uuid/admit: an admin lets a deregistered board register again. Its
 * agent's next registration is accepted; the worker comes back in MAINTENANCE.
 */
@Controller('api/v2/workers')
@UseGuards(InterimAdminGuard)
@UseFilters(ProblemDetailsFilter)
export class WorkerAdmissionController {
  constructor(private readonly workers: WorkersService) {}

  @Post(':uuid/admit')
  @HttpCode(200)
  async admit(@Param('uuid') uuid: string): Promise<AdmissionView> {
    return this.workers.admit(uuid, ANONYMOUS_ADMIN);
  }
}
