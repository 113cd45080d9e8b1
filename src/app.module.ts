import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ApiV1Module } from './api/v1/api-v1.module';
import { AgentsApiModule } from './api/v2/agents/agents.module';
import { WorkerAdmissionModule } from './api/v2/workers/worker-admission.module';
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
import { MetricsModule } from './metrics/metrics.module';
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
        DryadModule,
        DryadSupervisionModule,
        JobsModule,
        RequestsModule,
        WorkersModule,
        MatcherModule,
        TimekeeperModule,
        HealthModule,
        MetricsModule,
        AgentsApiModule,
        WorkerAdmissionModule,
        ApiV1Module,
      ],
    };
  }
}
