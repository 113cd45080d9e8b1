import type { IncomingMessage, ServerResponse } from 'node:http';
import { LESHY_VERSION } from '../../common/version';
import { goJsonObject, goJsonString } from './wire/go-json.encoder';
import { formatGoTimeRfc3339 } from './wire/go-time';

/** Boruta-* headers, spelled as upstream's Go server sends them (canonical MIME form). */
export const BorutaHeader = {
  RequestState: 'Boruta-Request-State',
  JobTimeout: 'Boruta-Job-Timeout',
  WorkerState: 'Boruta-Worker-State',
  ListTotal: 'Boruta-List-Total',
  ListRemaining: 'Boruta-List-Remaining',
  ListBatchSize: 'Boruta-List-Batch-Size',
  ServerVersion: 'Boruta-Server-Version',
  ApiVersion: 'Boruta-Api-Version',
  ApiState: 'Boruta-Api-State',
} as const;

/** What CORS lets browsers read, in upstream's order. */
export const EXPOSED_HEADERS = [
  BorutaHeader.ListTotal,
  BorutaHeader.ListRemaining,
  BorutaHeader.RequestState,
  BorutaHeader.ListBatchSize,
  BorutaHeader.JobTimeout,
  BorutaHeader.WorkerState,
  BorutaHeader.ServerVersion,
  BorutaHeader.ApiVersion,
  BorutaHeader.ApiState,
];

export const API_V1_VERSION = 'v1';
/** Upstream's state of its v1 API; kept so clients that print it see what they always saw. */
export const API_V1_STATE = 'devel';

/** One API v1 answer: status, extra headers, and a JSON body (absent for 204 and errors of HEAD). */
export interface V1Reply {
  status: number;
  headers?: Array<[string, string]>;
  /** JSON text; absent = no body (and no Content-Type). */
  json?: string;
}

export function jsonReply(status: number, json: string, headers: Array<[string, string]> = []) {
  return { status, json, headers } satisfies V1Reply;
}

export const NO_CONTENT: V1Reply = { status: 204 };

export function messageReply(
  status: number,
  message: string,
  headers: Array<[string, string]> = [],
) {
  return jsonReply(status, goJsonObject([['message', goJsonString(message)]]), headers);
}

export function listHeaders(page: { total: number; remaining: number; batch: number }) {
  return [
    [BorutaHeader.ListBatchSize, String(page.batch)],
    [BorutaHeader.ListRemaining, String(page.remaining)],
    [BorutaHeader.ListTotal, String(page.total)],
  ] as Array<[string, string]>;
}

/**
 * The Go client reads Boruta-List-* before it looks at the status of a list call; error
 * answers of list calls carry them too, as zeros.
 */
export const ZERO_LIST_HEADERS = listHeaders({ total: 0, remaining: 0, batch: 0 });

export function requestStateHeaders(state: string, jobTimeout: Date | null) {
  const headers: Array<[string, string]> = [];
  if (jobTimeout) headers.push([BorutaHeader.JobTimeout, formatGoTimeRfc3339(jobTimeout)]);
  headers.push([BorutaHeader.RequestState, state]);
  return headers;
}

export function versionReply(): V1Reply {
  return jsonReply(
    200,
    goJsonObject([
      ['Server', goJsonString(LESHY_VERSION)],
      ['API_Version', goJsonString(API_V1_VERSION)],
      ['API_State', goJsonString(API_V1_STATE)],
    ]),
    [
      [BorutaHeader.ApiState, API_V1_STATE],
      [BorutaHeader.ApiVersion, API_V1_VERSION],
      [BorutaHeader.ServerVersion, LESHY_VERSION],
    ],
  );
}

/**
 * Writes a reply with node's raw response methods: no Express charset, no ETag. A successful
 * HEAD answers 204 with the same Boruta-* headers and no body, because the Go client's HEAD
 * helpers (GetRequestState, GetJobTimeout, GetWorkerState, Version) accept only 204.
 */
export function writeV1Reply(req: IncomingMessage, res: ServerResponse, reply: V1Reply): void {
  if (res.headersSent) return;
  const head = req.method === 'HEAD';
  const status = head && reply.status >= 200 && reply.status < 300 ? 204 : reply.status;
  res.statusCode = status;
  for (const [name, value] of reply.headers ?? []) res.setHeader(name, value);
  if (status === 204 || reply.json === undefined) {
    res.end();
    return;
  }
  const body = Buffer.from(reply.json, 'utf8');
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', body.length);
  res.end(head ? undefined : body);
}
