import { DomainError } from '../common/domain-error';

export class RequestNotFoundError extends DomainError {
  readonly code = 'request-not-found';
  readonly kind = 'not-found';
  constructor(readonly requestId: number) {
    super(`Request ${requestId} not found`);
  }
}

/** Priority outside 1 (highest) … 16 (lowest). */
export class PriorityOutOfBoundsError extends DomainError {
  readonly code = 'priority-out-of-bounds';
  readonly kind = 'invalid';
  constructor(readonly priority: number) {
    super(`priority ${priority} is out of bounds: use 1 (highest) to 16 (lowest)`);
  }
}

/** Priority better than the requester may use (the user's best priority, set by an admin). */
export class PriorityNotAllowedError extends DomainError {
  readonly code = 'priority-not-allowed';
  readonly kind = 'forbidden';
  constructor(priority: number, best: number) {
    super(
      `priority ${priority} is not allowed for you: the best (lowest number) you may use is ${best}`,
    );
  }
}

export class DeadlineInPastError extends DomainError {
  readonly code = 'deadline-in-past';
  readonly kind = 'invalid';
  constructor(deadline: Date) {
    super(`deadline ${deadline.toISOString()} is in the past`);
  }
}

export class IllegalTimeRangeError extends DomainError {
  readonly code = 'illegal-time-range';
  readonly kind = 'invalid';
  constructor(validAfter: Date, deadline: Date) {
    super(
      `validAfter ${validAfter.toISOString()} is after deadline ${deadline.toISOString()}: ValidAfter must be before Deadline`,
    );
  }
}

/** Close or update asked of a request whose state does not allow it. */
export class ActionNotAllowedInStateError extends DomainError {
  readonly code = 'action-not-allowed-in-state';
  // API v2: 409, the request's state forbids it; API v1 keeps upstream's 400.
  readonly kind = 'conflict';
  constructor(requestId: number, action: string, state: string) {
    super(`request ${requestId} is ${state}: it cannot be ${action}`);
  }
}

/** Acquire or prolong asked of a request that has no running job. */
export class WorkerNotAssignedError extends DomainError {
  readonly code = 'worker-not-assigned';
  // API v2: 409, the request's state forbids it; API v1 keeps upstream's 400.
  readonly kind = 'conflict';
  constructor(requestId: number, state: string) {
    super(
      `request ${requestId} is ${state}: no worker is assigned to it (only IN PROGRESS requests have one)`,
    );
  }
}

export class ProlongLimitReachedError extends DomainError {
  readonly code = 'prolong-limit-reached';
  // API v2: 409, the request's state forbids it; API v1 keeps upstream's 400.
  readonly kind = 'conflict';
  constructor(requestId: number, limit: number) {
    super(
      `request ${requestId} was already prolonged ${limit} times, the most this server allows (LESHY_MAX_PROLONGS)`,
    );
  }
}

/** The border request of a paginator does not exist. */
export class PaginatorBorderNotFoundError extends DomainError {
  readonly code = 'paginator-border-not-found';
  readonly kind = 'not-found';
  constructor(readonly borderId: string) {
    super(`request ${borderId} given as the paginator's border was not found`);
  }
}
