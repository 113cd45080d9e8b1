import sqlite3 from 'sqlite3';
import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { TypeOrmNestLogger } from '../logging/typeorm-logger';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { bindNumbersAsParameters } from './sqlite-bound-numbers';
import { cacheStatements } from './sqlite-statement-cache';

/** One DataSource definition for the app and the TypeORM CLI (ormconfig.ts). */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: ['error' as const, 'warn' as const, 'migration' as const],
    logger: new TypeOrmNestLogger(),
  };
  if (config.database.kind === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: config.database.url,
      extra: { max: 10 },
      // Ids and moments are bigint: as numbers (never beyond 2^53 here), not strings.
      parseInt8: true,
    };
  }
  bindNumbersAsParameters();
  return {
    ...common,
    type: 'sqlite',
    database: config.database.path,
    enableWAL: true,
    driver: quietSqlite3(),
    // Another process (the migration CLI, a backup) may hold the lock for a moment.
    busyTimeout: 5_000,
  };
}

/**
 * node-sqlite3 as TypeORM should drive it. TypeORM switches it into verbose mode, which builds
 * an Error and util.inspect()s the arguments of every call for long stack traces: about half
 * the CPU time of a request creation; this module has no such switch. And its connections
 * reuse prepared statements (cacheStatements): one trip to the thread pool per statement, not
 * two.
 */
function quietSqlite3(): typeof sqlite3 {
  const Database = function (...args: ConstructorParameters<typeof sqlite3.Database>) {
    return cacheStatements(new sqlite3.Database(...args));
  } as unknown as typeof sqlite3.Database;
  const quiet: typeof sqlite3 = Object.assign(Object.create(sqlite3) as typeof sqlite3, {
    Database,
    verbose: () => quiet,
  });
  return quiet;
}
