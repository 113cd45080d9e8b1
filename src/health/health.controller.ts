import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Anonymous } from '../auth/authenticated.decorator';
import { HealthService } from './health.service';

/** `GET /health`: 200 when the database answers, 503 otherwise, with what was checked. */
@Controller('health')
@Anonymous()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  async check(@Res({ passthrough: true }) res: Response) {
    const report = await this.health.report();
    res.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
