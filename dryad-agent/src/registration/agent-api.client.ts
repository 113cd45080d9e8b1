import {
  ACTIVITY_PATH,
  AGENT_API_PREFIX,
  FAIL_PATH,
  HEARTBEAT_PATH,
  REGISTER_PATH,
} from '../protocol';
import type {
  RegisterAgentRequest,
  RegisterAgentResponse,
  ReportFailureRequest,
} from '../protocol';

export type ApiFailureKind =
  | 'unreachable'
  | 'unauthorized'
  | 'unknown-agent'
  /** 410: an admin deregistered this board; the server refuses it until an admin admits it. */
  | 'deregistered'
  | 'rejected'
  | 'server-error';

/** A failed call to the server, classified by what the agent should do about it. */
export class AgentApiError extends Error {
  constructor(
    readonly kind: ApiFailureKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AgentApiError';
  }
}

/** The agent-facing HTTP endpoints of the Leshy server (see protocol.ts), with bearer auth. */
export class AgentApiClient {
  constructor(
    private readonly serverUrl: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly timeoutMs = 10_000,
  ) {}

  async register(request: RegisterAgentRequest): Promise<RegisterAgentResponse> {
    const body = await this.post(`/${REGISTER_PATH}`, request);
    const parsed = (body ? JSON.parse(body) : {}) as Partial<RegisterAgentResponse>;
    if (typeof parsed.serverPublicKey !== 'string' || parsed.serverPublicKey.trim() === '') {
      throw new AgentApiError(
        'rejected',
        'the server answered the registration without serverPublicKey',
      );
    }
    return { serverPublicKey: parsed.serverPublicKey, state: String(parsed.state ?? '') };
  }

  async heartbeat(uuid: string): Promise<void> {
    await this.post(`/${encodeURIComponent(uuid)}/${HEARTBEAT_PATH}`, undefined);
  }

  async reportActivity(uuid: string): Promise<void> {
    await this.post(`/${encodeURIComponent(uuid)}/${ACTIVITY_PATH}`, undefined);
  }

  async reportFailure(uuid: string, reason: string): Promise<void> {
    const body: ReportFailureRequest = { reason };
    await this.post(`/${encodeURIComponent(uuid)}/${FAIL_PATH}`, body);
  }

  private async post(path: string, body: unknown): Promise<string> {
    const url = `${this.serverUrl}${AGENT_API_PREFIX}${path}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new AgentApiError(
        'unreachable',
        `cannot reach the server at ${this.serverUrl} (${why})`,
      );
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return text;
    const s = response.status;
    // The server's own words (problem+json detail or title), which name what to fix.
    const said = serverReason(text);
    if (s === 401 || s === 403) {
      throw new AgentApiError(
        'unauthorized',
        said
          ? `the server refused the agent token (HTTP ${s}): ${said}`
          : `the server refused the agent token (HTTP ${s}): check server.token in the config against the server's agent token`,
        s,
      );
    }
    if (s === 404)
      throw new AgentApiError(
        'unknown-agent',
        `the server does not know this agent (HTTP 404 on ${path})`,
        s,
      );
    if (s === 410)
      throw new AgentApiError(
        'deregistered',
        `the server refuses this board (HTTP 410): ${said || 'it was deregistered'}`,
        s,
      );
    const excerpt = said || text.replace(/\s+/g, ' ').slice(0, 200);
    if (s >= 500)
      throw new AgentApiError('server-error', `the server failed (HTTP ${s}): ${excerpt}`, s);
    throw new AgentApiError(
      'rejected',
      `the server refused the request (HTTP ${s}): ${excerpt}`,
      s,
    );
  }
}

/** `detail` (else `title`, else `message`) of a JSON error body; '' if there is none. */
function serverReason(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return '';
  }
  if (typeof parsed !== 'object' || parsed === null) return '';
  const fields = parsed as Record<string, unknown>;
  for (const name of ['detail', 'title', 'message']) {
    const value = fields[name];
    if (typeof value === 'string' && value.trim() !== '')
      return value.replace(/\s+/g, ' ').trim().slice(0, 300);
  }
  return '';
}
