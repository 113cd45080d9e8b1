import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, DomainErrorKind } from '../../../common/domain-error';
import { asDatabaseUnavailable } from '../../../database/database-unavailable';

const STATUS: Record<DomainErrorKind, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  'not-found': HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  forbidden: HttpStatus.FORBIDDEN,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  gone: HttpStatus.GONE,
};

/** RFC 9457 problem details, the error format of API v2. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Stable machine-readable problem name. */
  code: string;
  errors?: string[];
}

/**
 * API v2's one exception filter: domain errors and HTTP errors become problem+json with a
 * status that names the class of problem; anything unexpected is logged and answered 500
 * without internals.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    const problem = this.toProblem(exception);
    if (problem.status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="leshy"');
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(raw: unknown): ProblemDetails {
    const exception = asDatabaseUnavailable(raw);
    const parserError = bodyParserError(exception);
    if (parserError) return parserError;
    if (exception instanceof DomainError) {
      const status = STATUS[exception.kind];
      return {
        type: `urn:leshy:problem:${exception.code}`,
        title: titleOf(status),
        status,
        detail: exception.message,
        code: exception.code,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const messages =
        typeof body === 'object' && body && 'message' in body
          ? (body as { message: unknown }).message
          : body;
      const errors = Array.isArray(messages) ? messages.map(String) : undefined;
      const detail = errors ? errors.join('; ') : unknownRouteDetail(status, String(messages));
      const code =
        status === 400 ? 'invalid-input' : titleOf(status).toLowerCase().replace(/ /g, '-');
      return {
        type: `urn:leshy:problem:${code}`,
        title: titleOf(status),
        status,
        detail,
        code,
        ...(errors ? { errors } : {}),
      };
    }
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return {
      type: 'urn:leshy:problem:internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'the server failed unexpectedly; the error is in its log',
      code: 'internal',
    };
  }
}

/**
 * Errors of Express's body parsers and router (malformed JSON, a body over the limit, a badly
 * encoded path): http-errors objects with a client status and a message meant to be shown.
 * Nest's Express adapter wraps them in an HttpException with the original as its cause.
 */
function bodyParserError(exception: unknown): ProblemDetails | null {
  const source = exception instanceof HttpException ? exception.cause : exception;
  if (typeof source !== 'object' || source === null) return null;
  const { status, expose, message, type, limit } = source as {
    status?: unknown;
    expose?: unknown;
    message?: unknown;
    type?: unknown;
    limit?: unknown;
  };
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return null;
  const code =
    type === 'entity.parse.failed'
      ? 'malformed-body'
      : type === 'entity.too.large'
        ? 'body-too-large'
        : status === 400
          ? 'invalid-input'
          : titleOf(status).toLowerCase().replace(/ /g, '-');
  const detail =
    type === 'entity.parse.failed'
      ? `the body is not valid JSON: ${String(message)}`
      : type === 'entity.too.large'
        ? `the body is larger than this server reads${typeof limit === 'number' ? ` (${limit} bytes at most)` : ''}`
        : String(message);
  return { type: `urn:leshy:problem:${code}`, title: titleOf(status), status, detail, code };
}

/** The router's 404 (`Cannot GET /api/v2/x`): say where the routes are listed. */
function unknownRouteDetail(status: number, detail: string): string {
  const route = /^Cannot ([A-Z]+) (\S+)$/.exec(detail);
  if (status !== 404 || !route) return detail;
  return `no route ${route[1]} ${route[2]} on this server: the routes of API v2 are listed at /api/docs`;
}

function titleOf(status: number): string {
  const name = HttpStatus[status];
  return name
    ? name
        .toLowerCase()
        .replace(/(^|_)(\w)/g, (_, sep: string, c: string) => (sep ? ' ' : '') + c.toUpperCase())
    : 'Error';
}
