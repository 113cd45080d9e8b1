import { Module } from '@nestjs/common';
import { JobsModule } from '../../../jobs/jobs.module';
import { WorkersModule } from '../../../workers/workers.module';
import { WorkersV2Controller } from './workers-v2.controller';

@Module({
  imports: [WorkersModule, JobsModule],
  controllers: [WorkersV2Controller],
})
export class WorkersApiModule {}
