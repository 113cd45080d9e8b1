import { v1Json } from '../support/http-client';
import type { ListedRequest } from './checks';

export interface ListedWorker {
  WorkerUUID: string;
  State: string;
}

/** Every request, through API v1's paginated list (what a client sees, not the database). */
export async function listAllRequests(baseUrl: string): Promise<ListedRequest[]> {
  const all: ListedRequest[] = [];
  for (let border = 0; ;) {
    const page = await v1Json(baseUrl, 'POST', '/api/v1/reqs/list', {
      Paginator: { ID: border, Direction: 'forward', Limit: 1000 },
    });
    if (page.status !== 200) throw new Error(`listing requests: ${page.status} ${page.body}`);
    const items = JSON.parse(page.body) as ListedRequest[];
    all.push(...items);
    if (page.header('Boruta-List-Remaining') === '0' || items.length === 0) return all;
    border = items[items.length - 1].ID;
  }
}

export async function listWorkers(baseUrl: string): Promise<ListedWorker[]> {
  const answer = await v1Json(baseUrl, 'POST', '/api/v1/workers/list', {});
  if (answer.status !== 200) throw new Error(`listing workers: ${answer.status} ${answer.body}`);
  return JSON.parse(answer.body) as ListedWorker[];
}

/** How many of `items` are in each state, e.g. { DONE: 310, TIMEOUT: 52 }. */
export function countStates(items: Array<{ State: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { State } of items) counts[State] = (counts[State] ?? 0) + 1;
  return counts;
}
