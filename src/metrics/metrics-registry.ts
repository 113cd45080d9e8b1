import { Provider } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The application's own metric registry, not prom-client's global one: an app built twice in one
 * process (tests, a restart in-process) must not find its metric names already taken. It starts
 * with prom-client's default process and Node.js metrics, event-loop lag among them.
 */
export const metricsRegistryProvider: Provider = {
  provide: Registry,
  useFactory: () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    return registry;
  },
};
