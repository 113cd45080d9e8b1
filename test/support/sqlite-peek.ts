import sqlite3 from 'sqlite3';

/**
 * Reads one row from a running server's SQLite file (read-only; WAL lets readers in while the
 * server writes). For facts no API shows yet, such as a worker's failure reason.
 */
export function peekRow<T>(
  file: string,
  sql: string,
  params: unknown[] = [],
): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (error) => {
      if (error) return reject(error);
      db.get(sql, params, (queryError, row) => {
        db.close();
        if (queryError) reject(queryError);
        else resolve(row as T | undefined);
      });
    });
  });
}

/** Reads every row a query returns (read-only, as peekRow). */
export function peekRows<T>(file: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (error) => {
      if (error) return reject(error);
      db.all(sql, params, (queryError, rows) => {
        db.close();
        if (queryError) reject(queryError);
        else resolve(rows as T[]);
      });
    });
  });
}
