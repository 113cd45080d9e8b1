import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { QueueSequence } from './queue-sequence';
import { RequestsService } from './requests.service';

@Module({
  imports: [JobsModule],
  providers: [RequestsService, QueueSequence],
  exports: [RequestsService],
})
export class RequestsModule {}
