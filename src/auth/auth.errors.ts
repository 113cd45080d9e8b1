import { DomainError } from '../common/domain-error';

/**
 * No usable credential: missing where one is needed, unknown, expired or revoked (401). The
 * message says which, and never repeats the credential.
 */
export class NotAuthenticatedError extends DomainError {
  readonly code = 'not-authenticated';
  readonly kind = 'unauthenticated';
}

/** The caller is known but may not do this (403); the message names the rule. */
export class NotAllowedError extends DomainError {
  readonly code = 'not-allowed';
  readonly kind = 'forbidden';
}
