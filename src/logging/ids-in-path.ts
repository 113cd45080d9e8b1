import type { LogFields } from './log-fields';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const REQUEST = /^\/api\/v[12]\/(?:reqs|requests)\/(\d+)(?:\/|$)/;
const WORKER = new RegExp(`^/api/v[12]/(?:workers|agents)/(${UUID})(?:/|$)`);

/** The request or worker an API path is about, as log fields (none for other paths). */
export function idsInPath(path: string): LogFields {
  const request = REQUEST.exec(path);
  if (request) return { requestId: Number(request[1]) };
  const worker = WORKER.exec(path);
  if (worker) return { workerUuid: worker[1].toLowerCase() };
  return {};
}
