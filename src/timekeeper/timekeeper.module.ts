import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { MatcherModule } from '../matcher/matcher.module';
import { RequestsModule } from '../requests/requests.module';
import { Timekeeper } from './timekeeper.service';

@Module({
  imports: [JobsModule, RequestsModule, MatcherModule],
  providers: [Timekeeper],
  exports: [Timekeeper],
})
export class TimekeeperModule {}
