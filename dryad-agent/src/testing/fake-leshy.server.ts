import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { ACTIVITY_PATH, AGENT_API_PREFIX, RegisterAgentRequest } from '../protocol';
import { generateEd25519KeyPair } from '../ssh-keys';

export interface RecordedRequest {
  path: string;
  authorization: string | undefined;
  body: unknown;
  /** When it arrived (Date.now()). */
  at: number;
}

/**
 * Test double of the Leshy server's agent endpoints, over real HTTP on 127.0.0.1. Holds a
 * server key pair (its private key is what tests use to run control commands).
 */
export class FakeLeshyServer {
  /** The agent token it accepts; change it to rotate the token under a running agent. */
  token = 'agent-token';
  /** UUIDs an admin deregistered: registration answers 410, as the real server does. */
  readonly deregistered = new Set<string>();
  readonly keys = generateEd25519KeyPair();
  readonly requests: RecordedRequest[] = [];
  readonly agents = new Map<string, RegisterAgentRequest>();
  /** Answer the next N heartbeats with 404 (the server "forgot" the agent). */
  forgetNextHeartbeats = 0;
  private server: Server | null = null;

  get url(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  get registrations(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/register'));
  }

  failures(uuid?: string): string[] {
    return this.requests
      .filter((r) => r.path.endsWith('/fail') && (!uuid || r.path.includes(uuid)))
      .map((r) => (r.body as { reason: string }).reason);
  }

  /** Tester-activity reports of one agent (or all). */
  activityReports(uuid?: string): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.path.endsWith(`/${ACTIVITY_PATH}`) && (!uuid || r.path.includes(uuid)),
    );
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const path = req.url ?? '';
    const body = text ? JSON.parse(text) : undefined;
    this.requests.push({ path, authorization: req.headers.authorization, body, at: Date.now() });
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return this.problem(res, 401, 'wrong agent token');
    const rest = path.startsWith(AGENT_API_PREFIX) ? path.slice(AGENT_API_PREFIX.length) : null;
    if (req.method !== 'POST' || rest === null) return this.send(res, 404, { message: 'no route' });
    if (rest === '/register') {
      const request = body as RegisterAgentRequest;
      if (this.deregistered.has(request.uuid))
        return this.problem(
          res,
          410,
          `worker ${request.uuid} was deregistered by an admin; it is refused until an admin admits it again`,
        );
      this.agents.set(request.uuid, request);
      return this.send(res, 200, { serverPublicKey: this.keys.public, state: 'MAINTENANCE' });
    }
    const m = /^\/([^/]+)\/(heartbeat|fail|activity)$/.exec(rest);
    if (!m || !this.agents.has(m[1])) return this.send(res, 404, { message: 'unknown agent' });
    if (m[2] === 'heartbeat' && this.forgetNextHeartbeats > 0) {
      this.forgetNextHeartbeats--;
      this.agents.delete(m[1]);
      return this.send(res, 404, { message: 'unknown agent' });
    }
    this.send(res, 204);
  }

  /** An error as the real server answers it: problem+json. */
  private problem(res: ServerResponse, status: number, detail: string): void {
    res.writeHead(status, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ type: 'about:blank', title: 'Error', status, detail }));
  }

  private send(res: ServerResponse, status: number, body?: unknown): void {
    res.writeHead(status, body ? { 'content-type': 'application/json' } : {});
    res.end(body ? JSON.stringify(body) : undefined);
  }
}
