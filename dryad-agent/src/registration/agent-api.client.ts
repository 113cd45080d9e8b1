import { AGENT_API_PREFIX, FAIL_PATH, HEARTBEAT_PATH, REGISTER_PATH } from '../protocol';
import type {
  RegisterAgentRequest,
  RegisterAgentResponse,
  ReportFailureRequest,
} from '../protocol';

export type ApiFailureKind =
  'unreachable' | 'unauthorized' | 'unknown-agent' | 'rejected' | 'server-error';

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
    const excerpt = text.replace(/\s+/g, ' ').slice(0, 200);
    const s = response.status;
    if (s === 401 || s === 403) {
      throw new AgentApiError(
        'unauthorized',
        `the server rejected the agent token (HTTP ${s}): check server.token in the config against the server's agent tokens`,
        s,
      );
    }
    if (s === 404)
      throw new AgentApiError(
        'unknown-agent',
        `the server does not know this agent (HTTP 404 on ${path})`,
        s,
      );
    if (s >= 500)
      throw new AgentApiError('server-error', `the server failed (HTTP ${s}): ${excerpt}`, s);
    throw new AgentApiError(
      'rejected',
      `the server refused the request (HTTP ${s}): ${excerpt}`,
      s,
    );
  }
}
