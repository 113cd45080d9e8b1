import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { AgentOperationsCollector } from '../metrics/agent-operations.collector';
import { MetricsModule } from '../metrics/metrics.module';
import { DryadPort } from './dryad.port';
import { DryadSshThread } from './dryad-ssh-thread';
import { TimedDryadPort } from './timed-dryad.port';

/**
 * Driving agents: DryadPort is the SSH client (in a thread of its own), timed for the metrics
 * (tests of the core replace it with a fake).
 */
@Module({
  imports: [KeysModule, MetricsModule],
  providers: [
    DryadSshThread,
    {
      provide: DryadPort,
      inject: [DryadSshThread, AgentOperationsCollector],
      useFactory: (client: DryadSshThread, metrics: AgentOperationsCollector) =>
        new TimedDryadPort(client, metrics),
    },
  ],
  exports: [DryadPort, DryadSshThread],
})
export class DryadModule {}
