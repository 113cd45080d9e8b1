/**
 * The dashboard's one way to the server: same-origin fetches that carry the HttpOnly session
 * cookie (the page never sees a token after login), `X-Leshy-Request: 1` on every call (the
 * server needs it on cookie calls that change something), and problem+json errors turned into
 * ApiError with the server's own explanation.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

/** Called when any call answers 401: the session ended (logout elsewhere, expiry, revocation). */
let onUnauthenticated: () => void = () => {};
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'X-Leshy-Request': '1', Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed: unknown = text === '' ? null : safeJson(text);
  if (!response.ok) {
    const problem = (parsed ?? {}) as { detail?: string; title?: string; code?: string };
    if (response.status === 401 && path !== '/api/v2/session') onUnauthenticated();
    throw new ApiError(
      response.status,
      problem.detail ?? problem.title ?? `${response.status} ${response.statusText}`,
      problem.code ?? null,
    );
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});

/** A paged list as API v2 answers it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total: number;
}

/** Every item of a paged list (the dashboard's lists are a lab's, not a data warehouse's). */
export async function getAll<T>(path: string, limit = 200): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const url: string = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const answer: Page<T> | T[] = await get<Page<T> | T[]>(url);
    if (Array.isArray(answer)) return answer;
    items.push(...answer.items);
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  return items;
}
