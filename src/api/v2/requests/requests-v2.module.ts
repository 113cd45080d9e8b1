import { Module } from '@nestjs/common';
import { JobsModule } from '../../../jobs/jobs.module';
import { RequestsModule } from '../../../requests/requests.module';
import { RequestsV2Controller } from './requests-v2.controller';

/** API v2's request routes (/api/v2/requests). */
@Module({
  imports: [RequestsModule, JobsModule],
  controllers: [RequestsV2Controller],
})
export class RequestsV2Module {}
