import type { ApiClient, RequestOptions } from './api-client';
import type { Page } from './api-types';

/**
 * Every item of a paged list (following nextCursor), or the first `limit`. Also takes a plain
 * array, which some admin routes answer.
 */
export async function listAll<T>(
  client: ApiClient,
  path: string,
  query: RequestOptions['query'] = {},
  limit?: number,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const answer: Page<T> | T[] = await client.get<Page<T> | T[]>(path, {
      query: {
        ...query,
        limit: limit !== undefined ? Math.min(limit - items.length, 100) : 100,
        cursor,
      },
    });
    if (Array.isArray(answer)) return limit !== undefined ? answer.slice(0, limit) : answer;
    items.push(...answer.items);
    cursor = answer.nextCursor;
  } while (cursor && (limit === undefined || items.length < limit));
  return items;
}
