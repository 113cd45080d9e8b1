import { Logger } from '@nestjs/common';

/** What the handlers need of `process` (a fake in the unit test). */
export interface ProcessLike {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  exit(code: number): void;
}

/** Exit status after an uncaught exception: not 0, so systemd's Restart=on-failure applies. */
export const UNCAUGHT_EXCEPTION_EXIT_CODE = 70;

function describe(reason: unknown): string {
  return reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
}

/**
 * The last line of defence, chosen deliberately:
 * - an unhandled promise rejection is a bug in one detached operation (a background check, an
 *   event handler); every state change is its own transaction, so nothing is half-applied:
 *   it is logged with its stack and the server keeps serving;
 * - an uncaught exception was thrown from a callback of Node itself, in a state nobody
 *   planned for: it is logged with its stack and the process exits with status 70, for the
 *   service manager to restart it (requests, jobs and timers are rebuilt from the database).
 */
export function installProcessErrorHandlers(
  target: ProcessLike = process,
  logger: Pick<Logger, 'error'> = new Logger('Process'),
): void {
  target.on('unhandledRejection', (reason) =>
    logger.error(`unhandled promise rejection (the server keeps running): ${describe(reason)}`),
  );
  target.on('uncaughtException', (error) => {
    logger.error(
      `uncaught exception, exiting with status ${UNCAUGHT_EXCEPTION_EXIT_CODE} to be restarted: ${describe(error)}`,
    );
    target.exit(UNCAUGHT_EXCEPTION_EXIT_CODE);
  });
}
