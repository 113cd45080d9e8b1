import { DomainError } from '../common/domain-error';

/** The tunnel to a worker could not be opened (port taken, worker address unusable). */
export class TunnelUnavailableError extends DomainError {
  readonly code = 'tunnel-unavailable';
  readonly kind = 'unavailable';
  constructor(requestId: number, why: string) {
    super(`the tunnel for request ${requestId} could not be opened: ${why}`);
  }
}

/** A tunnel asked for after its job's end was seen (the end came first): it is not opened. */
export class TunnelOfEndedJobError extends TunnelUnavailableError {
  constructor(requestId: number) {
    super(requestId, 'its job has ended');
  }
}

/** Tester activity reported for a worker that has no running job. */
export class NoRunningJobError extends DomainError {
  readonly code = 'no-running-job';
  readonly kind = 'conflict';
  constructor(uuid: string) {
    super(`worker ${uuid} has no running job: tester activity only counts during a job`);
  }
}

/** The board did not take the tester's own key (the agent did not answer, or refused it). */
export class OwnKeyNotAuthorizedError extends DomainError {
  readonly code = 'own-key-not-authorized';
  readonly kind = 'unavailable';
  constructor(requestId: number, why: string) {
    super(`the board of request ${requestId} did not take your public key (${why}); try again`);
  }
}
