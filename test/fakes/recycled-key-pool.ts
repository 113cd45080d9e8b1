import { JobKeyPair } from '../../src/keys/rsa-key';
import { generateJobKeyPair } from '../../src/keys/rsa-key';

/**
 * Stands in for JobKeyPool where a test does not care that keys are fresh: it hands out a few
 * real key pairs over and over, so hundreds of prepare cycles do not wait for prime search.
 */
export class RecycledKeyPool {
  private static keys: JobKeyPair[] = [];
  private next = 0;

  async take(): Promise<JobKeyPair> {
    if (RecycledKeyPool.keys.length < 4) RecycledKeyPool.keys.push(generateJobKeyPair());
    return RecycledKeyPool.keys[this.next++ % RecycledKeyPool.keys.length];
  }

  stats() {
    return {
      ready: RecycledKeyPool.keys.length,
      generated: RecycledKeyPool.keys.length,
      averageMs: 0,
      generating: 0,
      threads: 1,
      restarts: 0,
    };
  }
}
