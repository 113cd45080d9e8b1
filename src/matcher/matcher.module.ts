import { Module } from '@nestjs/common';
import { RequestsModule } from '../requests/requests.module';
import { WorkersModule } from '../workers/workers.module';
import { MatcherService } from './matcher.service';
import { UnservableNotes } from './unservable-notes.service';

@Module({
  imports: [RequestsModule, WorkersModule],
  providers: [MatcherService, UnservableNotes],
  exports: [MatcherService, UnservableNotes],
})
export class MatcherModule {}
