import type { ApiClient } from './api-client';

/** One server-sent event of GET /api/v2/events. */
export interface StreamEvent {
  id: string | null;
  event: string;
  data: Record<string, unknown>;
}

/**
 * Parses the text/event-stream format (the WHATWG rules the CLI needs: `id`, `event`, `data`
 * lines, comments, a blank line ends an event). Fed chunks as they arrive.
 */
export class SseParser {
  private buffer = '';
  private id: string | null = null;
  private event = '';
  private data: string[] = [];

  constructor(
    private readonly onEvent: (event: { id: string | null; event: string; data: string }) => void,
  ) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const length = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length)
        this.onEvent({ id: this.id, event: this.event || 'message', data: this.data.join('\n') });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return; // a keep-alive comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'id') this.id = value;
    else if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}

export interface WatchOptions {
  query?: Record<string, string | undefined>;
  signal: AbortSignal;
  onEvent: (event: StreamEvent) => void;
  /** Told when the stream dropped and is being resumed (after the first connection). */
  onReconnect?: (error: unknown) => void;
}

const RECONNECT_DELAY_MS = 1_000;

/**
 * Follows the event stream until `signal` aborts: on a dropped connection it reconnects with
 * Last-Event-ID, so the server replays what was missed. A refusal (401, 403, 404, 400) ends it
 * with that error; so does a first connection that fails.
 */
export async function followEvents(client: ApiClient, options: WatchOptions): Promise<void> {
  let lastId: string | null = null;
  let connected = false;
  while (!options.signal.aborted) {
    try {
      const response = await client.send('GET', '/api/v2/events', {
        query: options.query,
        headers: lastId
          ? { Accept: 'text/event-stream', 'Last-Event-ID': lastId }
          : { Accept: 'text/event-stream' },
        timeoutMs: 2 ** 31 - 1,
        signal: options.signal,
      });
      connected = true;
      const parser = new SseParser(({ id, event, data }) => {
        if (id) lastId = id;
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(data) as Record<string, unknown>;
        } catch {
          parsed = { raw: data };
        }
        options.onEvent({ id, event, data: parsed });
      });
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        parser.push(decoder.decode(chunk, { stream: true }));
      }
    } catch (error) {
      if (options.signal.aborted) return;
      const status = (error as { status?: number }).status;
      if (!connected || (status !== undefined && status < 500)) throw error;
      options.onReconnect?.(error);
    }
    if (options.signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS));
  }
}
