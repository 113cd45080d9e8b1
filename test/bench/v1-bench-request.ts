import { rawRequest } from '../support/http-client';

/**
 * What upstream's Go client does to get a board: files a bench request over API v1, then
 * HEADs it every `pollMs` until it runs. Resolves with its ID once IN PROGRESS; a request that
 * ends otherwise (or a refused create) is an error.
 */
export async function v1RequestInProgress(baseUrl: string, pollMs: number): Promise<number> {
  const created = await rawRequest(baseUrl, 'POST', '/api/v1/reqs/', {
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ Priority: 8, Caps: { board: 'bench' } }),
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${created.body}`);
  const id = JSON.parse(created.body).ReqID as number;
  for (;;) {
    const state = (await rawRequest(baseUrl, 'HEAD', `/api/v1/reqs/${id}`)).header(
      'Boruta-Request-State',
    );
    if (state === 'IN PROGRESS') return id;
    if (state !== 'WAITING') throw new Error(`request ${id} went ${state}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
