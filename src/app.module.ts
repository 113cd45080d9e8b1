import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ApiV1Module } from './api/v1/api-v1.module';
import { AgentsApiModule } from './api/v2/agents/agents.module';
import { ClusterModule } from './cluster/cluster.module';
import { ClockModule } from './common/clock.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DryadSupervisionModule } from './dryad/dryad-supervision.module';
import { DryadModule } from './dryad/dryad.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MatcherModule } from './matcher/matcher.module';
import { RequestsModule } from './requests/requests.module';
import { TimekeeperModule } from './timekeeper/timekeeper.module';
import { WorkersModule } from './workers/workers.module';

/** The whole server, built from a validated configuration. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ScheduleModule.forRoot(),
        ClockModule,
        EventsModule,
        DatabaseModule,
        ClusterModule,
        DryadModule,
        DryadSupervisionModule,
        JobsModule,
        RequestsModule,
        WorkersModule,
        MatcherModule,
        TimekeeperModule,
        HealthModule,
        AgentsApiModule,
        ApiV1Module,
      ],
    };
  }
}
