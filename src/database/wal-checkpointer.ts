import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import sqlite3 from 'sqlite3';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { beginActivity } from '../diagnostics/loop-activity';

const CHECKPOINTS = 'sqlite:wal-checkpoints';
/** Often enough that the WAL stays a few MB under a steady write load. */
const CHECKPOINT_INTERVAL_MS = 1_000;

/**
 * SQLite WAL checkpoints, off the write path.
 *
 * By default the connection that commits the 1000th WAL page copies the WAL back into the
 * database file and fsyncs both, inside that COMMIT: a stall of several milliseconds for
 * whichever write (a request creation, a match) happens to cross the line, and every write
 * queued behind it. Here the writer never checkpoints; a connection of its own does, on a
 * timer, in PASSIVE mode, which runs beside the writer and never blocks it. Durability is
 * unchanged: a committed transaction is in the WAL whether or not it was copied back yet.
 */
@Injectable()
export class WalCheckpointer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WalCheckpointer.name);
  private connection: sqlite3.Database | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.database.kind !== 'sqlite') return;
    this.connection = await open(this.config.database.path);
    await this.dataSource.query('PRAGMA wal_autocheckpoint = 0');
    const interval = setInterval(() => void this.checkpoint(), CHECKPOINT_INTERVAL_MS);
    interval.unref();
    this.scheduler.addInterval(CHECKPOINTS, interval);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.connection) return;
    if (this.scheduler.doesExist('interval', CHECKPOINTS))
      this.scheduler.deleteInterval(CHECKPOINTS);
    // SQLite itself copies back what is left when the last connection closes.
    await this.running;
    await new Promise<void>((resolve) => this.connection!.close(() => resolve()));
    this.connection = null;
  }

  /** One PASSIVE checkpoint (at most one at a time): copies back what no reader still needs. */
  checkpoint(): Promise<void> {
    const connection = this.connection;
    if (!connection) return Promise.resolve();
    this.running ??= new Promise<void>((resolve) => {
      const done = beginActivity('checkpoint');
      connection.all('PRAGMA wal_checkpoint(PASSIVE)', (error) => {
        done();
        // A failed checkpoint loses nothing (the WAL keeps every commit); the next one retries.
        if (error) this.logger.warn(`WAL checkpoint failed: ${error.message}`);
        resolve();
      });
    }).finally(() => (this.running = null));
    return this.running;
  }
}

function open(file: string): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const connection = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (error) => {
      if (error) return reject(error);
      connection.configure('busyTimeout', 5_000);
      resolve(connection);
    });
  });
}
