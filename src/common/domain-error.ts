/**
 * Base of every error a service throws on purpose. Services never throw HttpException: each
 * API maps `kind` (and, where its wire format needs it, `code`) to its own status and body.
 */
export type DomainErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'not-found'
  | 'conflict'
  | 'forbidden'
  | 'unavailable'
  /** Existed once and is refused on purpose (a deregistered worker): 410. */
  | 'gone';

export abstract class DomainError extends Error {
  /** Stable machine-readable name of the problem, e.g. `deadline-in-past`. */
  abstract readonly code: string;
  abstract readonly kind: DomainErrorKind;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that fails validation in a way no API-level check caught (a 400 in every API). */
export class InvalidInputError extends DomainError {
  readonly code = 'invalid-input';
  readonly kind = 'invalid';
}

/**
 * A compare-and-set update found the row changed under it (a concurrent call, or another
 * server instance, won the race). The caller may retry with fresh data.
 */
export class ConcurrentModificationError extends DomainError {
  readonly code = 'concurrent-modification';
  readonly kind = 'conflict';
  constructor(what: string) {
    super(`${what} was changed by a concurrent operation; retry`);
  }
}
