import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { MatchAtCreate } from '../matcher/match-at-create';
import { QueueSequence } from './queue-sequence';
import { RequestsService } from './requests.service';

@Module({
  imports: [JobsModule],
  providers: [RequestsService, QueueSequence, MatchAtCreate],
  exports: [RequestsService, MatchAtCreate],
})
export class RequestsModule {}
