import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
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
  };
  if (config.database.kind === 'postgres') {
    return { ...common, type: 'postgres', url: config.database.url, extra: { max: 10 } };
  }
  return {
    ...common,
    // Synchronous: a statement runs on the event loop in microseconds, where node-sqlite3 took
    // a round trip to its thread pool per statement (docs/performance.md has the figures).
    type: 'better-sqlite3',
    database: config.database.path,
    enableWAL: true,
    // Another process (the migration CLI, a backup) may hold the lock for a moment.
    timeout: 5_000,
  };
}
