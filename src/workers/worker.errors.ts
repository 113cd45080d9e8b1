import { workerAdmitPath } from 'dryad-agent/protocol';
import { DomainError } from '../common/domain-error';

export class WorkerNotFoundError extends DomainError {
  readonly code = 'worker-not-found';
  readonly kind = 'not-found';
  constructor(readonly uuid: string) {
    super(`Worker ${uuid} not found`);
  }
}

/** setState to anything but IDLE or MAINTENANCE. */
export class StateChangeNotAllowedError extends DomainError {
  readonly code = 'only-idle-or-maintenance';
  readonly kind = 'invalid';
  constructor(state: string) {
    super(
      `cannot set a worker to ${state}: only state changes to IDLE and MAINTENANCE are allowed`,
    );
  }
}

/** setState IDLE of a worker that is not in MAINTENANCE. */
export class ForbiddenStateChangeError extends DomainError {
  readonly code = 'forbidden-state-change';
  readonly kind = 'invalid';
  constructor(uuid: string, from: string, to: string) {
    super(
      `worker ${uuid} is ${from}: it cannot be set to ${to} (only a worker in MAINTENANCE can be set to IDLE)`,
    );
  }
}

/** A conflict with the worker's state (API v2: 409; API v1 answers upstream's 400 by class). */
export class DeregisterNotAllowedError extends DomainError {
  readonly code = 'not-in-fail-or-maintenance';
  readonly kind = 'conflict';
  constructor(uuid: string, state: string) {
    super(
      `worker ${uuid} is ${state}: only a worker in FAILED or MAINTENANCE state can be deregistered`,
    );
  }
}

/** The paginator's border worker does not exist. */
export class WorkerBorderNotFoundError extends DomainError {
  readonly code = 'paginator-border-not-found';
  readonly kind = 'not-found';
  constructor(readonly borderId: string) {
    super(`worker ${borderId} given as the paginator's border was not found`);
  }
}

/** An agent registers a board an admin deregistered and has not admitted again. */
export class WorkerDeregisteredError extends DomainError {
  readonly code = 'worker-deregistered';
  readonly kind = 'gone';
  constructor(uuid: string, by: string, at: Date) {
    super(
      `worker ${uuid} was deregistered by an admin (${by}, ${at.toISOString()}): its registrations are refused until an admin admits it again with POST ${workerAdmitPath(uuid)}`,
    );
  }
}

/** Admit of a UUID that no admin deregistered. */
export class WorkerNotDeregisteredError extends DomainError {
  readonly code = 'worker-not-deregistered';
  readonly kind = 'not-found';
  constructor(uuid: string) {
    super(
      `worker ${uuid} is not deregistered: there is nothing to admit (a board that was never deregistered registers by itself)`,
    );
  }
}

/** Admit of a worker that is registered (it was admitted and has registered since). */
export class WorkerAlreadyRegisteredError extends DomainError {
  readonly code = 'worker-registered';
  readonly kind = 'conflict';
  constructor(uuid: string) {
    super(`worker ${uuid} is registered: there is nothing to admit`);
  }
}

/** An admin's state change that the worker's current state does not allow (API v2: 409). */
export class WorkerStateConflictError extends DomainError {
  readonly code = 'worker-state-conflict';
  readonly kind = 'conflict';
  constructor(
    uuid: string,
    readonly state: string,
    action: string,
    rule: string,
  ) {
    super(`worker ${uuid} is ${state}: it cannot be ${action} (${rule})`);
  }
}

/** Back to service of a FAILED worker whose agent failed the health check first. */
export class HealthCheckFailedError extends DomainError {
  readonly code = 'health-check-failed';
  readonly kind = 'conflict';
  constructor(uuid: string, reason: string) {
    super(
      `worker ${uuid} failed its health check and stays FAILED: ${reason} (fix the board, then set it IDLE again)`,
    );
  }
}
