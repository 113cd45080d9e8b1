/** Exit statuses of the dryad-agent command (sysexits where one fits). */
export const CliExit = {
  Ok: 0,
  Failed: 1,
  Usage: 64,
  /** The config is missing (a template was written) or invalid: an admin must edit it. */
  Config: 78,
} as const;

/** An error the CLI prints as is (no stack) and exits with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number = CliExit.Failed,
  ) {
    super(message);
  }
}
