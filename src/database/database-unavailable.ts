import { DomainError } from '../common/domain-error';

/** PostgreSQL SQLSTATEs of a database that cannot be used right now (not of a bad query). */
const PG_UNAVAILABLE = [
  /^08/, // connection exceptions
  /^57P0[1-4]$/, // admin shutdown, crash shutdown, cannot connect now, database dropped
  /^53300$/, // too many connections
  /^3D000$/, // the database does not exist (dropped under us)
];
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const SQLITE_UNAVAILABLE = new Set(['SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL']);
/** What node-postgres says when a connection breaks or none can be had, without a code. */
const PG_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|not currently accepting connections/i;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error itself and what it wraps (TypeORM's driverError, cause, AggregateError's errors). */
function* chain(error: unknown, depth = 0): Generator<ErrorLike> {
  if (depth > 4 || typeof error !== 'object' || error === null) return;
  const e = error as ErrorLike;
  yield e;
  yield* chain(e.driverError, depth + 1);
  yield* chain(e.cause, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
}

function unavailable(e: ErrorLike): boolean {
  const code = typeof e.code === 'string' ? e.code : '';
  if (code.startsWith('SQLITE_')) return SQLITE_UNAVAILABLE.has(code);
  if (PG_UNAVAILABLE.some((pattern) => pattern.test(code)) || NETWORK_CODES.has(code)) return true;
  return typeof e.message === 'string' && PG_MESSAGES.test(e.message);
}

/** Whether `error` says the database cannot be reached or used at all (rather than a bad query). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of chain(error)) if (unavailable(e)) return true;
  return false;
}

/** The database cannot be used right now: 503 in every API, the client may retry later. */
export class DatabaseUnavailableError extends DomainError {
  readonly code = 'database-unavailable';
  readonly kind = 'unavailable';
  constructor(cause: unknown) {
    super(
      `the database is unavailable (${(cause as Error)?.message ?? String(cause)}); try again in a moment`,
    );
  }
}

/** `error` as a DatabaseUnavailableError when it is one of that kind, else `error` unchanged. */
export function asDatabaseUnavailable(error: unknown): unknown {
  if (error instanceof DomainError || !isDatabaseUnavailable(error)) return error;
  return new DatabaseUnavailableError(error);
}
