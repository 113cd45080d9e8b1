import { LESHY_VERSION } from '../../common/version';
import { CliError, ExitCode, exitCodeOfStatus } from './exit-codes';

/** An API v2 problem+json body (RFC 9457), as far as the CLI reads it. */
export interface Problem {
  status?: number;
  title?: string;
  detail?: string;
  code?: string;
  errors?: string[];
}

/** A non-2xx answer: the message is the problem's detail, the exit code its class. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    hint?: string,
  ) {
    super(describeProblem(status, problem), exitCodeOfStatus(status), hint);
    this.name = 'ApiError';
  }
}

function describeProblem(status: number, problem: Problem): string {
  const detail = problem.detail || problem.title || `HTTP ${status}`;
  const extra = (problem.errors ?? []).filter((e) => e !== detail);
  return extra.length ? `${detail} (${extra.join('; ')})` : detail;
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Longer for long polls; default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * API v2 over fetch: Bearer token, JSON in and out, problem+json turned into ApiError, and a
 * server that does not answer turned into one line that says so (exit code 8).
 */
export class ApiClient {
  constructor(
    readonly server: string,
    private readonly token: string | null,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '')
        url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'User-Agent': `leshy-cli/${LESHY_VERSION}`,
      Accept: 'application/json',
      ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
      ...extra,
    };
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.call<T>('GET', path, options).then((r) => r.body);
  }
  post<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.call<T>('POST', path, { ...options, body }).then((r) => r.body);
  }
  patch<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.call<T>('PATCH', path, { ...options, body }).then((r) => r.body);
  }
  put<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.call<T>('PUT', path, { ...options, body }).then((r) => r.body);
  }
  delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.call<T>('DELETE', path, options).then((r) => r.body);
  }

  async call<T>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const response = await this.send(method, path, options);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseBody(text) as T };
  }

  /** The raw response (for the event stream); errors as in call(). */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const headers = this.headers(options.headers);
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path, options.query), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw unreachable(this.server, error, timeout.aborted);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw this.errorOf(response.status, parseBody(text));
    }
    return response;
  }

  private errorOf(status: number, body: unknown): ApiError {
    const problem: Problem =
      body && typeof body === 'object'
        ? (body as Problem)
        : { detail: typeof body === 'string' && body ? body.slice(0, 200) : undefined };
    if (status === 401) {
      return new ApiError(
        status,
        {
          ...problem,
          detail: `the server refused the token: ${problem.detail ?? 'not authenticated'}`,
        },
        'ask an admin for a token, then run "leshy login --token TOKEN" (or set LESHY_TOKEN)',
      );
    }
    if (status >= 500) {
      return new ApiError(status, {
        ...problem,
        detail: `the server failed (${status}): ${problem.detail ?? problem.title ?? 'no detail'}`,
      });
    }
    return new ApiError(status, problem);
  }
}

function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One line that says the server did not answer, and why when the error tells. */
export function unreachable(server: string, error: unknown, timedOut = false): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = timedOut
    ? 'no answer in time'
    : cause?.code === 'ECONNREFUSED'
      ? 'connection refused'
      : cause?.code === 'ENOTFOUND'
        ? 'unknown host'
        : (cause?.code ?? cause?.message ?? (error as Error).message);
  return new CliError(
    `cannot reach the Leshy server at ${server} (${why})`,
    ExitCode.Unreachable,
    'is it running? check the URL (leshy login --server URL, or LESHY_SERVER)',
  );
}
