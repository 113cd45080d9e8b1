import type { AgentStatus } from 'dryad-agent/protocol';
import { AgentOperationsCollector } from '../metrics/agent-operations.collector';
import { DryadPort, DryadTarget } from './dryad.port';

/**
 * The DryadPort the server uses: the SSH client, with each operation's duration and outcome
 * recorded for the metrics. It changes nothing else: same results, same errors.
 */
export class TimedDryadPort extends DryadPort {
  constructor(
    private readonly inner: DryadPort,
    private readonly metrics: AgentOperationsCollector,
  ) {
    super();
  }

  prepare(target: DryadTarget, jobPublicKey: string): Promise<{ username: string }> {
    return this.metrics.time('prepare', () => this.inner.prepare(target, jobPublicKey));
  }

  putInMaintenance(target: DryadTarget, message: string): Promise<void> {
    return this.metrics.time('maintenance', () => this.inner.putInMaintenance(target, message));
  }

  healthcheck(target: DryadTarget): Promise<void> {
    return this.metrics.time('healthcheck', () => this.inner.healthcheck(target));
  }

  status(target: DryadTarget): Promise<AgentStatus> {
    return this.metrics.time('status', () => this.inner.status(target));
  }

  authorize(target: DryadTarget, publicKey: string, jobKeyFingerprint: string): Promise<void> {
    return this.metrics.time('authorize', () =>
      this.inner.authorize(target, publicKey, jobKeyFingerprint),
    );
  }
}
