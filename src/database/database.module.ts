import { Global, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InstanceIdentity } from '../cluster/instance-identity';
import { AppConfig } from '../config/app-config';
import { DatabaseOutage } from './database-outage.service';
import { dataSourceOptions } from './data-source-options';
import { ReadConnection } from './read-connection';
import { Transactions } from './transactions.service';
import { WalCheckpointer } from './wal-checkpointer';

/**
 * SQLite durability: WAL mode is set by the driver; LESHY_SQLITE_SYNCHRONOUS chooses whether a
 * commit survives a crash of the server process (NORMAL) or also a power loss (FULL).
 */
@Injectable()
class SqliteSettings implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.database.kind !== 'sqlite') return;
    await this.dataSource.query(`PRAGMA synchronous = ${this.config.database.synchronous}`);
  }
}

/** The database; migrations run at start-up and synchronize is never on. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), migrationsRun: true }),
    }),
  ],
  providers: [
    InstanceIdentity,
    Transactions,
    DatabaseOutage,
    SqliteSettings,
    WalCheckpointer,
    {
      provide: ReadConnection,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => ReadConnection.open(dataSource),
    },
  ],
  exports: [Transactions, DatabaseOutage, InstanceIdentity],
})
export class DatabaseModule {}
