import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request } from 'express';
import { ProblemDetailsFilter } from './v2/common/problem-details.filter';
import { V1ExceptionFilter } from './v1/v1-exception.filter';
import { isV1Path } from './v1/v1-front-door.middleware';

/**
 * Every error of every route, unknown path and body parser goes through here (APP_FILTER), and
 * is answered in its API's format: API v1's by V1ExceptionFilter (upstream's `{"message"}`),
 * everything else by ProblemDetailsFilter (problem+json). Nothing escapes with Nest's default body.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly v1 = new V1ExceptionFilter();
  private readonly v2 = new ProblemDetailsFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const path = host.switchToHttp().getRequest<Request>().path;
    (isV1Path(path) ? this.v1 : this.v2).catch(exception, host);
  }
}
