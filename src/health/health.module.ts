import { Module } from '@nestjs/common';
import { MatcherModule } from '../matcher/matcher.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({ imports: [MatcherModule], controllers: [HealthController], providers: [HealthService] })
export class HealthModule {}
