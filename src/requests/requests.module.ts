import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { MatchAtCreate } from '../matcher/match-at-create';
import { QueueSequence } from './queue-sequence';
import { RequestWaiter } from './request-waiter';
import { RequestsService } from './requests.service';
import { UnservableNotes } from './unservable-notes.service';

@Module({
  imports: [JobsModule],
  providers: [RequestsService, QueueSequence, UnservableNotes, MatchAtCreate, RequestWaiter],
  exports: [RequestsService, UnservableNotes, MatchAtCreate, RequestWaiter],
})
export class RequestsModule {}
