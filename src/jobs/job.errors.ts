import { DomainError } from '../common/domain-error';

/** The tunnel to a worker could not be opened (port taken, worker address unusable). */
export class TunnelUnavailableError extends DomainError {
  readonly code = 'tunnel-unavailable';
  readonly kind = 'unavailable';
  constructor(requestId: number, why: string) {
    super(`the tunnel for request ${requestId} could not be opened: ${why}`);
  }
}
