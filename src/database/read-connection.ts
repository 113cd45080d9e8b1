import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import sqlite3 from 'sqlite3';
import { DataSource, DataSourceOptions, EntityManager } from 'typeorm';

/**
 * Where reads go. On SQLite, a second, read-only connection to the same file: in WAL mode it
 * sees every committed transaction and never one in progress, and reads neither wait for
 * writes nor hold them up (polling clients would otherwise queue in front of the matcher).
 * On PostgreSQL, the pool.
 */
@Injectable()
export class ReadConnection implements OnApplicationShutdown {
  private constructor(
    private readonly dataSource: DataSource,
    private readonly reader: DataSource | null,
  ) {}

  /** Opens the reader; used as an async provider factory so it is ready before any hook runs. */
  static async open(dataSource: DataSource): Promise<ReadConnection> {
    if (dataSource.options.type !== 'sqlite') return new ReadConnection(dataSource, null);
    const options = {
      ...dataSource.options,
      name: 'leshy-reader',
      flags: sqlite3.OPEN_READONLY,
      // The writer set WAL mode; a read-only connection may not change it.
      enableWAL: false,
      migrations: [],
      migrationsRun: false,
    } as DataSourceOptions;
    return new ReadConnection(dataSource, await new DataSource(options).initialize());
  }

  get manager(): EntityManager {
    return (this.reader ?? this.dataSource).manager;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.reader?.isInitialized) await this.reader.destroy();
  }
}
