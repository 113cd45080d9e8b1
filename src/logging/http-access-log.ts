import type { INestApplication } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as Pino } from 'pino';
import { idsInPath } from './ids-in-path';

const pathOf = (req: IncomingMessage) =>
  ((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0];

/** Paths a service manager, an orchestrator or Prometheus polls. */
const PROBES = /^\/(health(\/.*)?|metrics)$/;

/** The level of an exchange's line: a 4xx is the client's mistake, not the server's. */
function levelOf(path: string, status: number): 'warn' | 'info' | 'debug' {
  if (status >= 500) return 'warn';
  // Probes and scrapes come every few seconds: at info they would bury everything else.
  return PROBES.test(path) ? 'debug' : 'info';
}

/**
 * One access log line per HTTP exchange, when it ends (answered, or closed by the client
 * first: `aborted`): method, path (without the query string), status, time taken, a counter of
 * the exchange, and the request or worker the path names. Never a header, a cookie or a body:
 * the Authorization header carries tokens, and bodies carry keys. Written here rather than with
 * pino-http, which made two child loggers per exchange: a twentieth of the event loop's time
 * under load, for the same line.
 */
export function httpAccessLog(logger: Pino) {
  const http = logger.child({ context: 'HTTP' });
  let exchanges = 0;
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const httpId = ++exchanges;
    const started = Date.now();
    const ended = () => {
      res.off('finish', ended);
      res.off('close', ended);
      const path = pathOf(req);
      const level = levelOf(path, res.statusCode);
      if (!http.isLevelEnabled(level)) return;
      http[level](
        {
          httpId,
          req: { method: req.method, path },
          res: { status: res.statusCode },
          responseTime: Date.now() - started,
          ...(res.writableFinished ? {} : { aborted: true }),
          ...idsInPath(path),
        },
        `${req.method} ${path} ${res.statusCode}`,
      );
    };
    res.on('finish', ended);
    res.on('close', ended);
    next();
  };
}

export function installHttpAccessLog(app: INestApplication, logger: Pino): void {
  app.use(httpAccessLog(logger));
}
