import { Module } from '@nestjs/common';
import { DryadSupervisionModule } from '../supervision/dryad-supervision.module';
import { MatcherModule } from '../matcher/matcher.module';
import { TimekeeperModule } from '../timekeeper/timekeeper.module';
import { WorkersModule } from '../workers/workers.module';
import { EventRelay } from './event-relay.service';
import { SchedulerElection } from './scheduler-election.service';

/**
 * Several server instances on one PostgreSQL database: events reach every instance, and one
 * elected instance schedules. On SQLite (one instance) the relay is idle and this one schedules.
 */
@Module({
  imports: [MatcherModule, TimekeeperModule, WorkersModule, DryadSupervisionModule],
  providers: [EventRelay, SchedulerElection],
  exports: [EventRelay, SchedulerElection],
})
export class ClusterModule {}
