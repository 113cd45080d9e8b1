import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConcurrentModificationError, DomainError } from '../../common/domain-error';
import { ForbiddenTransitionError } from '../../common/state-machine';
import { asDatabaseUnavailable } from '../../database/database-unavailable';
import { TunnelUnavailableError } from '../../jobs/job.errors';
import {
  ActionNotAllowedInStateError,
  DeadlineInPastError,
  IllegalTimeRangeError,
  PaginatorBorderNotFoundError,
  PriorityOutOfBoundsError,
  ProlongLimitReachedError,
  RequestNotFoundError,
  WorkerNotAssignedError,
} from '../../requests/request.errors';
import {
  DeregisterNotAllowedError,
  ForbiddenStateChangeError,
  StateChangeNotAllowedError,
  WorkerBorderNotFoundError,
  WorkerNotFoundError,
} from '../../workers/worker.errors';
import { messageReply, V1Reply, writeV1Reply, ZERO_LIST_HEADERS } from './v1-reply';
import { V1Error } from './v1.errors';
import { GoJsonError } from './wire/go-json.decoder';

const INVALID = 'invalid request: ';

/**
 * Domain errors whose upstream counterpart has a fixed text; the status and text upstream's
 * server answers with. Every other domain error keeps Leshy's own message, with the status of
 * its kind (upstream answers 400 for all of its own errors that are not "not found").
 */
const UPSTREAM_TEXT: Array<[abstract new (...args: never[]) => DomainError, number, string]> = [
  [RequestNotFoundError, 404, 'Request not found'],
  [WorkerNotFoundError, 404, 'Worker not found'],
  // The paginator's border is looked up with lowercase names upstream.
  [PaginatorBorderNotFoundError, 404, 'request not found'],
  [WorkerBorderNotFoundError, 404, 'worker not found'],
  [PriorityOutOfBoundsError, 400, `${INVALID}requested priority out of bounds`],
  // Capital D: upstream v0.2.1's text, for create and update alike.
  [DeadlineInPastError, 400, `${INVALID}Deadline in the past`],
  [
    IllegalTimeRangeError,
    400,
    `${INVALID}requested time range illegal - ValidAfter must be before Deadline`,
  ],
  [ActionNotAllowedInStateError, 400, `${INVALID}action cannot be executed in current state`],
  [WorkerNotAssignedError, 400, `${INVALID}worker not assigned`],
  [
    StateChangeNotAllowedError,
    400,
    `${INVALID}Only state changes to IDLE and MAINTENANCE are allowed`,
  ],
  [ForbiddenStateChangeError, 400, `${INVALID}Invalid state transition was requested`],
  [ForbiddenTransitionError, 400, `${INVALID}Invalid state transition was requested`],
  [DeregisterNotAllowedError, 400, `${INVALID}Worker is not in FAIL or MAINTENANCE state`],
];

const STATUS_OF_KIND: Record<DomainError['kind'], number> = {
  invalid: 400,
  unauthenticated: 401,
  'not-found': 404,
  conflict: 409,
  forbidden: 403,
  unavailable: 503,
  gone: 410,
};

/** Marks a response as the answer of a list call (see ZERO_LIST_HEADERS). */
export function markListCall(res: Response): void {
  res.locals.borutaListCall = true;
}

/**
 * API v1's one exception filter: typed errors (domain, v1 wire, Go JSON decoding) become
 * upstream's `{"message": …}` bodies with upstream's status codes and texts. Bad input is
 * always a 4xx; only a bug in Leshy answers 500.
 */
@Catch()
export class V1ExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(V1ExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const reply = this.toReply(exception);
    if (reply.status === 401)
      reply.headers = [
        ['Www-Authenticate', 'Basic realm="leshy", Bearer realm="leshy"'],
        ...(reply.headers ?? []),
      ];
    if (res.locals.borutaListCall) reply.headers = [...ZERO_LIST_HEADERS, ...(reply.headers ?? [])];
    writeV1Reply(req, res, reply);
  }

  private toReply(raw: unknown): V1Reply {
    const exception = asDatabaseUnavailable(raw);
    if (exception instanceof V1Error) return messageReply(exception.status, exception.wireMessage);
    if (exception instanceof GoJsonError) {
      // Upstream's io.EOF case: the body held no JSON value at all.
      return exception.isEof
        ? messageReply(400, 'no body provided in HTTP request')
        : messageReply(400, INVALID + exception.message);
    }
    if (exception instanceof DomainError) {
      const known = UPSTREAM_TEXT.find(([type]) => exception instanceof type);
      if (known) return messageReply(known[1], known[2]);
      // A Leshy-only limit upstream would have filed with its own errors: 400.
      if (exception instanceof ProlongLimitReachedError)
        return messageReply(400, INVALID + exception.message);
      const status = STATUS_OF_KIND[exception.kind];
      if (
        exception instanceof ConcurrentModificationError ||
        exception instanceof TunnelUnavailableError
      )
        return messageReply(status, exception.message);
      return messageReply(status, status === 400 ? INVALID + exception.message : exception.message);
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return messageReply(500, 'internal server error');
  }
}
