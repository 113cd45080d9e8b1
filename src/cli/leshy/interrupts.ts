import { ExitCode } from './exit-codes';

/**
 * Ctrl-C, one owner at a time: a command that waits pushes its handler (ask whether to cancel,
 * or ignore it while ssh has the terminal); without one, SIGINT exits 130 through
 * process.exit, so 'exit' handlers (the temp key file) run. Node's default would skip them.
 */
const handlers: Array<() => void> = [];

export function installInterruptHandling(): void {
  process.on('SIGINT', () => {
    const top = handlers[handlers.length - 1];
    if (top) top();
    else process.exit(ExitCode.Interrupted);
  });
  process.on('SIGTERM', () => process.exit(128 + 15));
  process.on('SIGHUP', () => process.exit(128 + 1));
}

/** Makes `handler` the one Ctrl-C runs, until the returned function is called. */
export function onInterrupt(handler: () => void): () => void {
  handlers.push(handler);
  return () => {
    const at = handlers.lastIndexOf(handler);
    if (at >= 0) handlers.splice(at, 1);
  };
}
