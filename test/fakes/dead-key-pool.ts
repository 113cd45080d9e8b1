import { KeyGenerationUnavailableError } from '../../src/keys/job-key.errors';

/**
 * A job key pool whose generator threads have all died and were not replaced: what JobKeyPool
 * is after MAX_RESTARTS_IN_A_ROW crashes (job-key-pool.service.spec.ts shows it gets there).
 */
export class DeadKeyPool {
  take(): Promise<never> {
    return Promise.reject(new KeyGenerationUnavailableError('no key generator thread is left'));
  }

  stats() {
    return { ready: 0, generated: 0, averageMs: 0, generating: 0, threads: 0, restarts: 3 };
  }
}
