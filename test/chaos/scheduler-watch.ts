import { pause } from './chaos-api';
import { ChaosCluster } from './cluster';

/**
 * The scheduling instance of a cluster of several, as the running instances' /health say.
 * Records a violation when two instances say at once that they schedule.
 */
export class SchedulerWatch {
  readonly violations: string[] = [];

  constructor(private readonly cluster: ChaosCluster) {}

  /** Index of the instance that schedules; null if none of the running ones does right now. */
  async current(): Promise<number | null> {
    const leading: number[] = [];
    for (let i = 0; i < this.cluster.size; i++) {
      if (this.cluster.isUp(i) && (await this.cluster.scheduler(i))?.schedulesHere) leading.push(i);
    }
    if (leading.length > 1)
      this.violations.push(`instances ${leading.join(' and ')} both said they schedule`);
    return leading[0] ?? null;
  }

  /** Waits until one running instance schedules; resolves with it, or null after `timeoutMs`. */
  async elected(timeoutMs: number): Promise<number | null> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const index = await this.current();
      if (index !== null) return index;
      await pause(50);
    }
    return null;
  }
}
