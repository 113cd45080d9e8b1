import { Module } from '@nestjs/common';
import { ClusterModule } from '../cluster/cluster.module';
import { KeysModule } from '../keys/keys.module';
import { MatcherModule } from '../matcher/matcher.module';
import { EventLoopStalls } from '../diagnostics/event-loop-stalls';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [MatcherModule, ClusterModule, KeysModule],
  controllers: [HealthController],
  providers: [HealthService, EventLoopStalls],
})
export class HealthModule {}
