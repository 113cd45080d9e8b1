import { EntityManager } from 'typeorm';
import { RequestState } from '../requests/request-state';

/**
 * The grouped queries the database-backed gauges run on each scrape: a handful of rows each,
 * whatever the size of the tables. The board class is read inside the database (caps are JSON
 * text), so a long queue is counted without being loaded.
 */
export interface CountRow {
  count: number;
}

function isPostgres(em: EntityManager): boolean {
  return em.connection.options.type === 'postgres';
}

/** SQL for the value of cap `key` in the caps column, and its parameter. */
function capValue(em: EntityManager, key: string): { sql: string; parameter: string } {
  return isPostgres(em)
    ? { sql: '(caps::json ->> $1)', parameter: key }
    : { sql: 'json_extract(caps, ?)', parameter: `$."${key}"` };
}

/**
 * Requests in `states` by state and priority. Meant for the states requests leave (WAITING,
 * IN PROGRESS): the state index reaches them without reading the finished history.
 */
export async function countRequestsByStateAndPriority(
  em: EntityManager,
  states: readonly string[],
): Promise<Array<CountRow & { state: string; priority: number }>> {
  const placeholders = states.map((_, i) => (isPostgres(em) ? `$${i + 1}` : '?')).join(', ');
  const rows: Array<{ state: string; priority: number | string; count: number | string }> =
    await em.query(
      `SELECT state, priority, COUNT(*) AS count FROM requests WHERE state IN (${placeholders}) GROUP BY state, priority`,
      [...states],
    );
  return rows.map((r) => ({
    state: r.state,
    priority: Number(r.priority),
    count: Number(r.count),
  }));
}

/** WAITING requests by the value of cap `key` (null: the request does not ask for it). */
export async function countWaitingByCap(
  em: EntityManager,
  key: string,
): Promise<Array<CountRow & { value: string | null }>> {
  const cap = capValue(em, key);
  const state = isPostgres(em) ? '$2' : '?';
  const rows: Array<{ value: string | null; count: number | string }> = await em.query(
    `SELECT ${cap.sql} AS value, COUNT(*) AS count FROM requests WHERE state = ${state} GROUP BY 1`,
    [cap.parameter, RequestState.Waiting],
  );
  return rows.map((r) => ({ value: r.value, count: Number(r.count) }));
}

/** Workers by state and the value of cap `key` (null: the worker does not have it). */
export async function countWorkersByStateAndCap(
  em: EntityManager,
  key: string,
): Promise<Array<CountRow & { state: string; value: string | null }>> {
  const cap = capValue(em, key);
  const rows: Array<{ state: string; value: string | null; count: number | string }> =
    await em.query(
      `SELECT state, ${cap.sql} AS value, COUNT(*) AS count FROM workers GROUP BY 1, 2`,
      [cap.parameter],
    );
  return rows.map((r) => ({ state: r.state, value: r.value, count: Number(r.count) }));
}
