import sqlite3 from 'sqlite3';
import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { TypeOrmNestLogger } from '../logging/typeorm-logger';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

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
 * TypeORM switches node-sqlite3 into verbose mode, which builds an Error and util.inspect()s
 * the arguments of every call for long stack traces: about half the CPU time of a request
 * creation. The same module without that switch.
 */
function quietSqlite3(): typeof sqlite3 {
  return Object.assign(Object.create(sqlite3) as typeof sqlite3, { verbose: () => sqlite3 });
}
