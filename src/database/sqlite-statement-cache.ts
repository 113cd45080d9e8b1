import sqlite3 from 'sqlite3';

/** Prepared statements kept per connection; beyond this the least recently used is finalized. */
export const MAX_CACHED_STATEMENTS = 256;

type Method = 'run' | 'all';

/**
 * node-sqlite3's run steps a statement once and leaves it there: a statement that yields rows
 * (a PRAGMA that answers, RETURNING) would stay in progress, and COMMIT refuses to run beside a
 * write in progress. Such statements are not kept; `all` always steps to the end.
 */
function keepable(method: Method, sql: string): boolean {
  return (
    method === 'all' || (/^\s*(INSERT|UPDATE|DELETE)\b/i.test(sql) && !/\bRETURNING\b/i.test(sql))
  );
}
type Callback = (this: unknown, error: Error | null, rows?: unknown) => void;

/**
 * node-sqlite3's own constructor, which prepares and nothing else (`db.prepare(sql, callback)`
 * would also bind the callback as a parameter: one more trip to the thread pool).
 */
const Statement = sqlite3.Statement as unknown as new (
  db: sqlite3.Database,
  sql: string,
  prepared: (error: Error | null) => void,
) => sqlite3.Statement;

interface Cached {
  statement: sqlite3.Statement;
  /** Prepared without error: until then only the call that prepared it may use it. */
  ready: boolean;
}

/**
 * Makes `db.run(sql, …)` and `db.all(sql, …)` reuse prepared statements. node-sqlite3 runs each
 * of those calls as two trips to its thread pool, one to prepare the statement and one to run
 * it, each answered through the event loop (on a busy machine every trip waits for a CPU twice).
 * TypeORM sends the same few statements again and again (a create's INSERTs, a status poll's
 * SELECTs, BEGIN and COMMIT), so each connection keeps its prepared statements by SQL text and
 * runs them again: one trip per statement. Parameters, results, `this.lastID`/`this.changes`
 * in the callback and errors are those of node-sqlite3's own run/all; a statement whose run
 * failed is finalized and prepared afresh next time (a schema change, a constraint error).
 */
export function cacheStatements(db: sqlite3.Database): sqlite3.Database {
  const cache = new Map<string, Cached>();
  const plain = { run: db.run, all: db.all };

  const drop = (sql: string, cached: Cached): void => {
    if (cache.get(sql) === cached) cache.delete(sql);
    cached.statement.finalize();
  };

  const through = (method: Method) =>
    function (this: sqlite3.Database, sql: string, ...args: unknown[]): sqlite3.Database {
      const callback =
        typeof args[args.length - 1] === 'function' ? (args.pop() as Callback) : undefined;
      let cached = cache.get(sql);
      if ((cached && !cached.ready) || !keepable(method, sql)) {
        // Not ready: its prepare has not answered yet, and if it fails, calls queued on it
        // are dropped.
        return (plain[method] as (...a: unknown[]) => sqlite3.Database).call(
          db,
          sql,
          ...args,
          ...(callback ? [callback] : []),
        );
      }
      if (cached) {
        // Most recently used last: the first entry is the one to finalize when full.
        cache.delete(sql);
        cache.set(sql, cached);
      } else {
        const entry: Cached = {
          ready: false,
          statement: new Statement(db, sql, (error: Error | null) => {
            if (error) {
              if (cache.get(sql) === entry) cache.delete(sql);
              // As node-sqlite3's own db.run/db.all: a failed prepare answers the caller once.
              callback?.call(entry.statement, error);
            } else entry.ready = true;
          }),
        };
        cached = entry;
        cache.set(sql, entry);
        if (cache.size > MAX_CACHED_STATEMENTS) {
          const [oldestSql, oldest] = cache.entries().next().value as [string, Cached];
          drop(oldestSql, oldest);
        }
      }
      const used = cached;
      (used.statement[method] as (...a: unknown[]) => sqlite3.Statement)(
        ...args,
        function (this: unknown, error: Error | null, rows?: unknown) {
          if (error) drop(sql, used);
          callback?.call(this, error, rows);
        },
      );
      return db;
    };

  const close = db.close;
  db.run = through('run') as typeof db.run;
  db.all = through('all') as typeof db.all;
  // sqlite3_close refuses a connection with statements that are not finalized.
  db.close = function (this: sqlite3.Database, ...args: unknown[]) {
    for (const [sql, cached] of [...cache]) drop(sql, cached);
    return (close as (...a: unknown[]) => void).apply(db, args);
  } as typeof db.close;
  return db;
}
