import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { AgentOperationsCollector } from '../metrics/agent-operations.collector';
import { MetricsModule } from '../metrics/metrics.module';
import { DryadPort } from './dryad.port';
import { SshDryadClient } from './ssh-dryad.client';
import { TimedDryadPort } from './timed-dryad.port';

/**
 * Driving agents: DryadPort is the SSH client, timed for the metrics (tests of the core replace
 * it with a fake).
 */
@Module({
  imports: [KeysModule, MetricsModule],
  providers: [
    SshDryadClient,
    {
      provide: DryadPort,
      inject: [SshDryadClient, AgentOperationsCollector],
      useFactory: (client: SshDryadClient, metrics: AgentOperationsCollector) =>
        new TimedDryadPort(client, metrics),
    },
  ],
  exports: [DryadPort, SshDryadClient],
})
export class DryadModule {}
