import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/** Longest SQL text kept in a line: enough to know the statement, not a whole bulk insert. */
const MAX_QUERY_CHARS = 300;

const shortened = (query: string) =>
  query.length > MAX_QUERY_CHARS ? `${query.slice(0, MAX_QUERY_CHARS)}…` : query;

/**
 * TypeORM's own lines (pool errors, failed queries, migrations) through the server's logger,
 * so they are JSON lines like the rest, under `context: TypeORM`. A failed query is logged
 * with its SQL but never its parameters: they carry token hashes, sealed keys and tester keys.
 */
export class TypeOrmNestLogger implements TypeOrmLogger {
  private readonly logger = new Logger('TypeORM');

  /**
   * TypeORM calls this for every statement whatever its `logging` option says (that option only
   * filters its own loggers): the server does not log statements, so this costs nothing.
   */
  logQuery(): void {}

  // The parameters are taken, and left out on purpose.
  logQueryError(error: string | Error, query: string, _parameters?: unknown[]): void {
    const message = error instanceof Error ? error.message : error;
    this.logger.warn(`query failed: ${message} [${shortened(query)}]`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query (${time} ms): ${shortened(query)}`);
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.log(String(message));
  }
}
