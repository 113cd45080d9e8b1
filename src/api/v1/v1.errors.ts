/**
 * Problems only API v1 can have (its URL and body formats). Services
 * never see them; the v1 exception filter maps them like domain errors.
 */
export abstract class V1Error extends Error {
  abstract readonly status: number;
  /** The text after which upstream's "invalid request: " prefix may come. */
  abstract readonly wireMessage: string;
}

/** Upstream's ErrBadID: the request ID in the URL is not an unsigned 64-bit number. */
export class V1BadRequestIdError extends V1Error {
  readonly status = 400;
  readonly wireMessage = "invalid request: ID provided in URL isn't valid";
}

/** Upstream's ErrBadUUID: the worker UUID in the URL is not a lowercase UUID. */
export class V1BadWorkerUuidError extends V1Error {
  readonly status = 400;
  readonly wireMessage = "invalid request: ID provided in URL isn't valid UUID";
}

/** Upstream's ErrIDMismatch. */
export class V1IdMismatchError extends V1Error {
  readonly status = 400;
  readonly wireMessage = "invalid request: request ID set in JSON doesn't match ID from URL";
}

/** Upstream's ErrWrongSortItem. */
export class V1WrongSortItemError extends V1Error {
  readonly status = 400;
  readonly wireMessage = 'invalid request: unknown name of item by which list should be sorted';
}

/** No v1 route has this path and method (upstream answers 404 for both, never 405). */
export class V1RouteNotFoundError extends V1Error {
  readonly status = 404;
  readonly wireMessage: string;
  constructor(path: string) {
    super(`${path} not found`);
    this.wireMessage = `${path} not found`;
  }
}
