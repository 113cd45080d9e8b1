import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { QueueSequence } from './queue-sequence';
import { RequestsService } from './requests.service';
import { UnservableNotes } from './unservable-notes.service';

@Module({
  imports: [JobsModule],
  providers: [RequestsService, QueueSequence, UnservableNotes],
  exports: [RequestsService, UnservableNotes],
})
export class RequestsModule {}
