import { rawRequest } from '../support/http-client';
import type { ServerProcess } from '../support/server-process';

type Totals = Map<string, { seconds: number; count: number }>;

/** The server's agent operations so far (GET /metrics), by operation: total seconds and count. */
export async function agentOperationTotals(server: ServerProcess): Promise<Totals> {
  const text = (await rawRequest(server.baseUrl, 'GET', '/metrics')).body;
  const totals: Totals = new Map();
  const line =
    /^leshy_agent_operation_duration_seconds_(sum|count)\{operation="([^"]+)",outcome="ok"\} (\S+)$/gm;
  for (const [, kind, operation, value] of text.matchAll(line)) {
    const entry = totals.get(operation) ?? { seconds: 0, count: 0 };
    if (kind === 'sum') entry.seconds += Number(value);
    else entry.count += Number(value);
    totals.set(operation, entry);
  }
  return totals;
}

/** Mean time of each agent operation between two totals, e.g. "authorize 1.2 ms (3000)". */
export function agentOperationMeans(before: Totals, after: Totals): string {
  const means: string[] = [];
  for (const [operation, { seconds, count }] of after) {
    const earlier = before.get(operation) ?? { seconds: 0, count: 0 };
    const n = count - earlier.count;
    if (n > 0)
      means.push(`${operation} ${(((seconds - earlier.seconds) / n) * 1000).toFixed(1)} ms (${n})`);
  }
  return `agent operations, mean as the server saw them: ${means.join(', ') || 'none'}`;
}
