import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

/** The operations DryadPort performs on agents: the `operation` label's only values. */
export type AgentOperation = 'prepare' | 'maintenance' | 'healthcheck' | 'status' | 'authorize';
const AGENT_OPERATIONS: readonly AgentOperation[] = [
  'prepare',
  'maintenance',
  'healthcheck',
  'status',
  'authorize',
];

/** Up to LESHY_DRYAD_TIMEOUT's default (60 s): a timed-out operation lands in the last bucket. */
export const AGENT_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * `leshy_agent_operation_duration_seconds{operation, outcome}` and
 * `leshy_agent_operation_failures_total{operation}`, recorded around every DryadPort call by
 * TimedDryadPort. Wall-clock time (not the domain clock): this is how long the agent took.
 */
@Injectable()
export class AgentOperationsCollector {
  private readonly duration: Histogram<'operation' | 'outcome'>;
  private readonly failures: Counter<'operation'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'leshy_agent_operation_duration_seconds',
      help: 'Time an operation on an agent took, by operation and outcome (ok, failed)',
      labelNames: ['operation', 'outcome'],
      buckets: AGENT_BUCKETS_SECONDS,
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'leshy_agent_operation_failures_total',
      help: 'Operations on agents that failed (error, refusal or timeout), by operation',
      labelNames: ['operation'],
      registers: [registry],
    });
    // Present from the start, so increase() sees the first failure.
    for (const operation of AGENT_OPERATIONS) this.failures.inc({ operation }, 0);
  }

  /** Runs `call`, recording how long it took and whether it failed; its result is unchanged. */
  async time<T>(operation: AgentOperation, call: () => Promise<T>): Promise<T> {
    const end = this.duration.startTimer({ operation });
    try {
      const result = await call();
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'failed' });
      this.failures.inc({ operation });
      throw error;
    }
  }
}
