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

/** The token is not one this server issued (or it was deleted with its user). */
export class UnknownTokenError extends NotAuthenticatedError {
  constructor() {
    super('the token is not valid on this server (unknown, or its user was deleted)');
  }
}

export class UserNotFoundError extends DomainError {
  readonly code = 'user-not-found';
  readonly kind = 'not-found';
  constructor(id: number | string) {
    super(`user ${id} not found`);
  }
}

export class UserNameTakenError extends DomainError {
  readonly code = 'user-name-taken';
  readonly kind = 'conflict';
  constructor(name: string) {
    super(`a user named ${name} exists already`);
  }
}

/** Demoting or deleting the only admin would leave nobody to run the lab. */
export class LastAdminError extends DomainError {
  readonly code = 'last-admin';
  readonly kind = 'conflict';
  constructor(name: string) {
    super(`${name} is the only admin: make another user admin first`);
  }
}

/** The bootstrap command runs once, on a server without admins. */
export class AdminExistsError extends DomainError {
  readonly code = 'admin-exists';
  readonly kind = 'conflict';
  constructor(names: string[]) {
    super(
      `this server has an admin already (${names.join(', ')}): ask them for a token instead of bootstrapping again`,
    );
  }
}

export class TokenNotFoundError extends DomainError {
  readonly code = 'token-not-found';
  readonly kind = 'not-found';
  constructor(id: number) {
    super(`token ${id} not found`);
  }
}

/** A worker UUID has one live agent token at most. */
export class WorkerHasAgentTokenError extends DomainError {
  readonly code = 'worker-has-agent-token';
  readonly kind = 'conflict';
  constructor(uuid: string) {
    super(
      `worker ${uuid} has a live agent token already: revoke it first (one live agent token per worker)`,
    );
  }
}
