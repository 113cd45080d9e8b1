import { DataSource, EntityManager } from 'typeorm';

interface Write<T> {
  kind: 'write';
  work: (em: EntityManager) => Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

interface Read<T> {
  kind: 'read';
  work: (em: EntityManager) => Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

type Task = Write<unknown> | Read<unknown>;

/** Writes that queued up meanwhile share one transaction, up to this many. */
const MAX_BATCH = 64;

/**
 * Runs all database work of a SQLite DataSource one task at a time, with group commit.
 *
 * TypeORM drives SQLite through one connection and one query runner, so two transactions in
 * flight would nest into each other: everything is serialized here. Writes that queued up while
 * the connection was busy run back to back in one transaction, which saves a BEGIN and a COMMIT
 * per write; each is still acknowledged only after that COMMIT. If any write of a batch fails,
 * the batch is rolled back and every write in it runs again alone, so each write is atomic and
 * the outcome is the same as if they had run one by one. Reads run between transactions, never
 * inside one, so they never see uncommitted rows.
 */
export class SqliteSerialExecutor {
  private readonly queue: Task[] = [];
  private draining = false;

  constructor(private readonly dataSource: DataSource) {}

  write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.enqueue('write', work);
  }

  read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.enqueue('read', work);
  }

  private enqueue<T>(kind: Task['kind'], work: (em: EntityManager) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ kind, work, resolve, reject } as Task);
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        if (this.queue[0].kind === 'read') {
          const read = this.queue.shift()!;
          await read.work(this.dataSource.manager).then(read.resolve, read.reject);
          continue;
        }
        let size = 0;
        while (size < this.queue.length && size < MAX_BATCH && this.queue[size].kind === 'write')
          size++;
        const batch = this.queue.splice(0, size) as Array<Write<unknown>>;
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
    const results: unknown[] = [];
    try {
      await runner.startTransaction();
      for (const write of batch) results.push(await write.work(runner.manager));
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      if (batch.length > 1) return false;
      batch[0].reject(error);
      return true;
    }
    batch.forEach((write, i) => write.resolve(results[i]));
    return true;
  }
}
