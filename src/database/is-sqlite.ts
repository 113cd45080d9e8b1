import { DataSourceOptions } from 'typeorm';

/** True for a DataSource on the SQLite file (as opposed to PostgreSQL), whichever binding. */
export function isSqlite(options: DataSourceOptions): boolean {
  return options.type === 'better-sqlite3' || options.type === 'sqlite';
}
