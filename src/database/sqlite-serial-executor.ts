import { DataSource, EntityManager } from 'typeorm';
import { attachDeferredInserts } from './deferred-inserts';
import { attachRowCache } from './writer-row-cache';

interface Write<T> {
  work: (em: EntityManager) => Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/** Writes that queued up meanwhile share one transaction, up to this many. */
const MAX_BATCH = 64;

/**
 * Runs the writes of a SQLite DataSource one transaction at a time, with group commit.
 *
 * TypeORM drives SQLite through one connection and one query runner, so two transactions in
 * flight would nest into each other: everything is serialized here. Writes that queued up while
 * the connection was busy run back to back in one transaction, which saves a BEGIN and a COMMIT
 * per write; each is still acknowledged only after that COMMIT. If any write of a batch fails,
 * the batch is rolled back and every write in it runs again alone, so each write is atomic and
 * the outcome is the same as if they had run one by one. `beforeCommit` sees every result of
 * a batch before its COMMIT, so rows that every write adds (the audit log) go in one statement.
 * Reads use their own connection (ReadConnection).
 */
export class SqliteSerialExecutor {
  private readonly queue: Array<Write<unknown>> = [];
  private draining = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly beforeCommit: (
      em: EntityManager,
      results: unknown[],
    ) => Promise<void> = async () => undefined,
  ) {}

  write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve, reject } as Write<unknown>);
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        if (batch.length === 1 || !(await this.runTogether(batch))) {
          for (const write of batch) await this.runTogether([write]);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * One transaction for all of `batch`. Returns false (having rolled back and settled nothing)
   * when a write of a batch of several fails; a single write's failure is its own outcome.
   */
  private async runTogether(batch: Array<Write<unknown>>): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    // The rows the batch's writes insert with keys of their own go in one INSERT per entity.
    const deferred = attachDeferredInserts(runner);
    // Rows it read or wrote by primary key are read again without a statement; attached after
    // the deferred inserts, so it sees the INSERTs they send.
    const cache = attachRowCache(runner);
    const results: unknown[] = [];
    try {
      await runner.startTransaction();
      for (const write of batch) results.push(await write.work(runner.manager));
      await this.beforeCommit(runner.manager, results);
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      deferred.drop();
      cache.clear();
      if (batch.length > 1) return false;
      batch[0].reject(error);
      return true;
    }
    batch.forEach((write, i) => write.resolve(results[i]));
    return true;
  }
}
