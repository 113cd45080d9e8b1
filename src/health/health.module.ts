import { Module } from '@nestjs/common';
import { MatcherModule } from '../matcher/matcher.module';
import { EventLoopStalls } from '../diagnostics/event-loop-stalls';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [MatcherModule],
  controllers: [HealthController],
  providers: [HealthService, EventLoopStalls],
})
export class HealthModule {}
