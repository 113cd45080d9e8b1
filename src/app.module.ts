import { DynamicModule, Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ApiExceptionFilter } from './api/api-exception.filter';
import { ApiV1Module } from './api/v1/api-v1.module';
import { IdentityApiModule } from './api/v2/admin/identity-api.module';
import { ExplainApiModule } from './api/v2/explain/explain-api.module';
import { AgentsApiModule } from './api/v2/agents/agents.module';
import { StatsApiModule } from './api/v2/stats/stats-api.module';
import { RequestsV2Module } from './api/v2/requests/requests-v2.module';
import { EventsApiModule } from './api/v2/events/events-api.module';
import { WorkerAdmissionModule } from './api/v2/workers/worker-admission.module';
import { WorkersApiModule } from './api/v2/workers/workers-api.module';
import { AuthModule } from './auth/auth.module';
import { ClusterModule } from './cluster/cluster.module';
import { ClockModule } from './common/clock.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { DatabaseModule } from './database/database.module';
import { DryadSupervisionModule } from './supervision/dryad-supervision.module';
import { DryadModule } from './dryad/dryad.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MatcherModule } from './matcher/matcher.module';
import { MetricsModule } from './metrics/metrics.module';
import { RequestsModule } from './requests/requests.module';
import { SchedulingModule } from './scheduling/scheduling.module';
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
        AuthModule,
        ClusterModule,
        DryadModule,
        DryadSupervisionModule,
        JobsModule,
        RequestsModule,
        WorkersModule,
        SchedulingModule,
        MatcherModule,
        TimekeeperModule,
        HealthModule,
        MetricsModule,
        AgentsApiModule,
        WorkerAdmissionModule,
        WorkersApiModule,
        ExplainApiModule,
        IdentityApiModule,
        StatsApiModule,
        RequestsV2Module,
        EventsApiModule,
        ApiV1Module,
        // Last: the dashboard's files are served after every API route.
        DashboardModule.forRoot(),
      ],
      providers: [
        // Every error of every API in that API's format (v1: upstream's; else problem+json).
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        // DTOs of API v2 are validated strictly; v1 decodes its raw bodies itself.
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
          }),
        },
      ],
    };
  }
}
