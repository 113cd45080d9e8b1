import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { MatchAtCreate } from '../matcher/match-at-create';
import { QueueSequence } from './queue-sequence';
import { RequestsService } from './requests.service';
import { UnservableNotes } from './unservable-notes.service';

@Module({
  imports: [JobsModule],
  providers: [RequestsService, QueueSequence, UnservableNotes, MatchAtCreate],
  exports: [RequestsService, UnservableNotes, MatchAtCreate],
})
export class RequestsModule {}
