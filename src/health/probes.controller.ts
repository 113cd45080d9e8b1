import { Controller, Get, HttpStatus, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { Anonymous } from '../auth/authenticated.decorator';
import { LESHY_VERSION } from '../common/version';
import { ReadinessIndicators } from './readiness.indicators';

/**
 * The probes of a service manager or an orchestrator (terminus's format: `status`, `info`,
 * `error`, `details`). Liveness: the process answers HTTP (restarting it is the cure when it
 * does not); it never looks at the database, whose outage a restart would not fix.
 * Readiness: whether to send it traffic (see ReadinessIndicators); 503 when not.
 */
@Controller('health')
@Anonymous()
export class ProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessIndicators,
  ) {}

  @Get('live')
  live() {
    return this.answer([
      () => ({ process: { status: 'up', version: LESHY_VERSION, pid: process.pid } }),
    ]);
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    try {
      return await this.answer([
        () => this.readiness.database(),
        () => this.readiness.scheduler(),
        () => this.readiness.keyPool(),
      ]);
    } catch (error) {
      // terminus throws its 503 with the report; answer it as is, not as a problem+json.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return error.getResponse();
    }
  }

  private answer(checks: Parameters<HealthCheckService['check']>[0]) {
    return this.health.check(checks);
  }
}
