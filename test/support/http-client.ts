import * as http from 'node:http';

/** An HTTP answer as it came off the wire: raw header lines in order, duplicates kept. */
export interface RawResponse {
  status: number;
  statusText: string;
  /** [name, value] in the order the server sent them. */
  rawHeaders: Array<[string, string]>;
  /** A header's values joined by ", " (how repeated headers combine), or undefined. */
  header(name: string): string | undefined;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One HTTP exchange with node:http (no redirects followed, no headers added beyond Host,
 * Connection and, when there is a body, Content-Length), so suites see exactly what the
 * server answers.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<RawResponse> {
  return exchange(baseUrl, method, path, options).catch((error: StaleSocketError) => {
    if (!error.staleSocket) throw error;
    return exchange(baseUrl, method, path, options);
  });
}

interface RequestOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Answer as soon as the headers are in, with an empty body, and drop the connection (streams). */
  headersOnly?: boolean;
}

/**
 * Set when a kept-alive socket was reset before any answer: the server closed it while idle and
 * never read the request, so sending it again is safe (the case node:http's docs on
 * `request.reusedSocket` describe). Any other error is the suite's to see.
 */
interface StaleSocketError extends NodeJS.ErrnoException {
  staleSocket?: boolean;
}

function exchange(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions,
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined) headers['Content-Length'] = Buffer.byteLength(options.body);
    const request = http.request(
      { host: url.hostname, port: url.port, method, path, headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        const streaming = options.headersOnly === true && response.statusCode === 200;
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', streaming ? () => undefined : reject);
        const done = () => {
          const raw: Array<[string, string]> = [];
          for (let i = 0; i < response.rawHeaders.length; i += 2)
            raw.push([response.rawHeaders[i], response.rawHeaders[i + 1]]);
          resolve({
            status: response.statusCode!,
            statusText: response.statusMessage ?? '',
            rawHeaders: raw,
            header: (name) => {
              const values = raw
                .filter(([n]) => n.toLowerCase() === name.toLowerCase())
                .map(([, v]) => v);
              return values.length ? values.join(', ') : undefined;
            },
            body: streaming ? '' : Buffer.concat(chunks).toString('utf8'),
          });
        };
        if (!streaming) response.on('end', done);
        else {
          done();
          request.destroy();
        }
      },
    );
    let answered = false;
    request.on('response', () => (answered = true));
    request.on('error', (error: StaleSocketError) => {
      if (!answered && request.reusedSocket && error.code === 'ECONNRESET')
        error.staleSocket = true;
      reject(error);
    });
    request.end(options.body);
  });
}

/** JSON helpers for the common case (Go client bodies). */
export async function v1Json(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<RawResponse> {
  return rawRequest(baseUrl, method, path, {
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}
