import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { MatchAtCreate } from '../matcher/match-at-create';
import { QueueSequence } from './queue-sequence';
import { RequestWaiter } from './request-waiter';
import { RequestsService } from './requests.service';

@Module({
  imports: [JobsModule],
  providers: [RequestsService, QueueSequence, MatchAtCreate, RequestWaiter],
  exports: [RequestsService, MatchAtCreate, RequestWaiter],
})
export class RequestsModule {}
