/**
 * The exit codes scripts can rely on (docs/cli.md lists them). Board commands (ssh, console,
 * scp, power, flash) exit with OpenSSH's status once the connection is made instead: the
 * board command's own code, or 255 when ssh itself failed.
 */
export const ExitCode = {
  Ok: 0,
  /** Anything else: a server error, a failed local step. */
  Failed: 1,
  /** A wrong command line, or input the server refused as invalid (400). */
  Usage: 2,
  NotFound: 3,
  /** No token, or a token the server does not accept (401). */
  Unauthenticated: 4,
  /** The token is good but may not do this (403). */
  Forbidden: 5,
  /** The state does not allow it (409), e.g. closing a request that has ended. */
  Conflict: 6,
  /** `--wait` gave up at its `--timeout`. */
  TimedOut: 7,
  /** No answer from the server (refused, DNS, TLS, timeout) or it answered 5xx/503. */
  Unreachable: 8,
  /** `--wait`: the request ended without reaching the state waited for (cancelled, timed out…). */
  EndedOtherwise: 9,
  /** Interrupted (Ctrl-C) while waiting, the request left as it was. */
  Interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports in one line (plus an optional hint) and turns into an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** What to do about it, printed on a line of its own. */
    readonly hint?: string,
    /** More for --json's error object (e.g. the request a wait gave up on). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The exit code of an HTTP error status. */
export function exitCodeOfStatus(status: number): number {
  if (status === 400 || status === 422) return ExitCode.Usage;
  if (status === 401) return ExitCode.Unauthenticated;
  if (status === 403) return ExitCode.Forbidden;
  if (status === 404 || status === 410) return ExitCode.NotFound;
  if (status === 409) return ExitCode.Conflict;
  if (status === 502 || status === 503 || status === 504) return ExitCode.Unreachable;
  return ExitCode.Failed;
}
