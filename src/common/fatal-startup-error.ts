/**
 * A reason the server cannot start that the operator must fix (wrong secret, missing database):
 * main.ts prints its message alone, without a stack trace, and exits non-zero.
 */
export class FatalStartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FatalStartupError';
  }
}
