import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { RequestsModule } from '../requests/requests.module';
import { WorkersModule } from '../workers/workers.module';
import { ExplainService } from './explain.service';

@Module({
  imports: [RequestsModule, WorkersModule, JobsModule],
  providers: [ExplainService],
  exports: [ExplainService],
})
export class ExplainModule {}
