import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ClusterModule } from '../cluster/cluster.module';
import { KeysModule } from '../keys/keys.module';
import { MatcherModule } from '../matcher/matcher.module';
import { EventLoopStalls } from '../diagnostics/event-loop-stalls';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { ProbesController } from './probes.controller';
import { ReadinessIndicators } from './readiness.indicators';

@Module({
  // Terminus logs nothing: a failing probe is in its answer, and an outage is logged once
  // by DatabaseOutage (a line per probe would flood the log while it lasts).
  imports: [MatcherModule, ClusterModule, KeysModule, TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, ProbesController],
  providers: [HealthService, EventLoopStalls, ReadinessIndicators],
})
export class HealthModule {}
