import * as http from 'node:http';

/** One server-sent event as a client parses it. */
export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

/** The parsed `data` of a Leshy event. */
export interface StreamedEvent {
  id: number;
  type: string;
  requestId: number | null;
  workerUuid: string | null;
  actor: string;
  from?: string;
  to?: string;
  [field: string]: unknown;
}

/**
 * A server-sent-events client over node:http (no reconnection: suites reconnect themselves,
 * with Last-Event-ID, to test resuming). Parses frames as they arrive.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  /** Comment lines (`: …`) received. */
  readonly comments: string[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  /** The body of a non-200 answer. */
  body = '';
  ended = false;
  private buffer = '';
  private request: http.ClientRequest | null = null;
  private waiters: Array<() => void> = [];

  private constructor() {}

  static open(
    baseUrl: string,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<SseClient> {
    const client = new SseClient();
    const url = new URL(baseUrl);
    return new Promise((resolve, reject) => {
      client.request = http.get(
        {
          host: url.hostname,
          port: url.port,
          path,
          headers: { Accept: 'text/event-stream', ...headers },
        },
        (response) => {
          client.status = response.statusCode ?? 0;
          client.headers = response.headers;
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => client.feed(chunk));
          response.on('end', () => {
            client.ended = true;
            client.notify();
          });
          response.on('error', () => undefined);
          if (client.status !== 200) response.on('end', () => resolve(client));
          else resolve(client);
        },
      );
      client.request.on('error', reject);
    });
  }

  /** Events of the Leshy kind (not comments, not `stream.reset`), parsed. */
  get parsed(): StreamedEvent[] {
    return this.events
      .filter((e) => e.event !== 'stream.reset')
      .map((e) => JSON.parse(e.data) as StreamedEvent);
  }

  /** Waits until `check` holds of what has arrived (or fails after `timeoutMs`). */
  async until(
    check: (client: SseClient) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      const left = deadline - Date.now();
      if (left <= 0 || this.ended)
        throw new Error(
          `${this.ended ? 'stream ended' : 'timed out'} waiting for ${what}; got ${this.events.map((e) => `${e.id}:${e.event}`).join(' ')}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for an event of `type` (and `match`), returns it parsed. */
  async next(
    type: string,
    match: (e: StreamedEvent) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<StreamedEvent> {
    let found: StreamedEvent | undefined;
    await this.until(
      () => {
        found = this.parsed.find((e) => e.type === type && match(e));
        return found !== undefined;
      },
      type,
      timeoutMs,
    );
    return found!;
  }

  close(): void {
    this.request?.destroy();
  }

  private feed(chunk: string): void {
    if (this.status !== 200) {
      this.body += chunk;
      return;
    }
    this.buffer += chunk;
    let end;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.parseBlock(block);
    }
    this.notify();
  }

  private parseBlock(block: string): void {
    let id: string | null = null;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length) this.events.push({ id, event, data: data.join('\n') });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
