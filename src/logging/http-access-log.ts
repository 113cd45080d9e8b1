import type { INestApplication } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as Pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { idsInPath } from './ids-in-path';

const pathOf = (req: IncomingMessage) =>
  ((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0];

/** Paths a service manager, an orchestrator or Prometheus polls. */
const PROBES = /^\/(health(\/.*)?|metrics)$/;

/**
 * One access log line per HTTP exchange, when it ends: method, path (without the query
 * string), status, time taken, and the request or worker the path names. Never a header, a
 * cookie or a body: the Authorization header carries tokens, and bodies carry keys.
 */
export function installHttpAccessLog(app: INestApplication, logger: Pino): void {
  app.use(
    pinoHttp({
      logger: logger.child({ context: 'HTTP' }),
      wrapSerializers: false,
      quietReqLogger: true,
      // pino-http's id of the HTTP exchange; requestId is a board request's (LogFields).
      customAttributeKeys: { reqId: 'httpId' },
      serializers: {
        req: (req: IncomingMessage) => ({ method: req.method, path: pathOf(req) }),
        res: (res: ServerResponse) => ({ status: res.statusCode }),
      },
      customLogLevel: (req, res, error) => {
        // A 4xx is the client's mistake, not the server's: it is no warning.
        if (error || res.statusCode >= 500) return 'warn';
        // Probes and scrapes come every few seconds: at info they would bury everything else.
        return PROBES.test(pathOf(req)) ? 'debug' : 'info';
      },
      customSuccessMessage: (req, res) => `${req.method} ${pathOf(req)} ${res.statusCode}`,
      customErrorMessage: (req, res) => `${req.method} ${pathOf(req)} ${res.statusCode}`,
      customSuccessObject: (req, _res, value: object) => ({ ...value, ...idsInPath(pathOf(req)) }),
      customErrorObject: (req, _res, _error, value: object) => ({
        ...value,
        ...idsInPath(pathOf(req)),
      }),
    }),
  );
}
