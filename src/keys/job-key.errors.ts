import { DomainError } from '../common/domain-error';

/** The key pool cannot produce a job key: its generator threads are gone, or it is shutting down. */
export class KeyGenerationUnavailableError extends DomainError {
  readonly code = 'key-generation-unavailable';
  readonly kind = 'unavailable';
  constructor(why: string) {
    super(`no job key can be generated: ${why}`);
  }
}
