import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { AgentOperationsCollector } from './agent-operations.collector';
import { CollectionErrorsCollector } from './collection-errors.collector';
import { HttpRequestsCollector } from './http-requests.collector';
import { JobDurationCollector } from './job-duration.collector';
import { KeyPoolCollector } from './key-pool.collector';
import { MetricsController } from './metrics.controller';
import { metricsRegistryProvider } from './metrics-registry';
import { QueueDepthCollector } from './queue-depth.collector';
import { RequestStatesCollector } from './request-states.collector';
import { RequestWaitCollector } from './request-wait.collector';
import { WorkerStatesCollector } from './worker-states.collector';

/**
 * Prometheus metrics at `/metrics`. Each collector registers its metrics on the app's registry
 * when it is built; AgentOperationsCollector and HttpRequestsCollector are exported for the
 * DryadPort decorator and the HTTP middleware that feed them.
 */
@Module({
  imports: [KeysModule],
  controllers: [MetricsController],
  providers: [
    metricsRegistryProvider,
    CollectionErrorsCollector,
    RequestStatesCollector,
    QueueDepthCollector,
    WorkerStatesCollector,
    RequestWaitCollector,
    JobDurationCollector,
    AgentOperationsCollector,
    KeyPoolCollector,
    HttpRequestsCollector,
  ],
  exports: [AgentOperationsCollector, HttpRequestsCollector],
})
export class MetricsModule {}
