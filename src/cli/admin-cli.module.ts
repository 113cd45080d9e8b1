import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { IdentityModule } from '../auth/auth.module';
import { ClockModule } from '../common/clock.module';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { EventsModule } from '../events/events.module';

/** What the admin command needs: the database (migrated) and identities, none of the server. */
@Module({})
export class AdminCliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AdminCliModule,
      imports: [
        ConfigModule.forRoot(config),
        ScheduleModule.forRoot(),
        ClockModule,
        EventsModule,
        DatabaseModule,
        IdentityModule,
      ],
    };
  }
}
