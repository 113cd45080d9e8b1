import { SqliteDriver } from 'typeorm/driver/sqlite/SqliteDriver';

type Escape = SqliteDriver['escapeQueryWithParameters'];
const PATCHED = Symbol('numbers bound as parameters');

/**
 * TypeORM's SQLite driver writes number parameters into the SQL text (`WHERE id = 42`, a
 * create's timestamps), so almost every statement is new text that node-sqlite3 must prepare
 * again and no prepared statement can be reused (see cacheStatements). This makes it bind them
 * as `?` like every other value: the same statement each time, with the same values stored
 * (node-sqlite3 binds an int32 as INTEGER, a larger number as REAL, which SQLite stores in our
 * INTEGER columns as the INTEGER it equals). Numbers are handed to TypeORM's own escaping as
 * Number objects, which it binds, and turned back into numbers on the way out. Installed once,
 * on the driver class: every SQLite DataSource of the process (writer, reader, CLI) is alike.
 */
export function bindNumbersAsParameters(): void {
  const prototype = SqliteDriver.prototype as SqliteDriver & { [PATCHED]?: true };
  if (prototype[PATCHED]) return;
  const escape: Escape = prototype.escapeQueryWithParameters;
  prototype.escapeQueryWithParameters = function (this: SqliteDriver, sql, parameters, native) {
    const boxed = parameters && { ...parameters };
    for (const key in boxed) {
      // eslint-disable-next-line @typescript-eslint/no-wrapper-object-types
      if (typeof boxed[key] === 'number') boxed[key] = new Number(boxed[key]) as Number;
    }
    const [text, values] = escape.call(this, sql, boxed, native);
    return [text, values.map((v: unknown) => (v instanceof Number ? v.valueOf() : v))];
  };
  prototype[PATCHED] = true;
}
