import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { userActor } from '../../../auth/actor';
import type { AuditRecord } from './audit-record';
import type { EventFilter } from './event-filter';
import type { PresentedEvent } from './event-presenter.service';
import {
  DEFAULT_STREAM_OPTIONS,
  EventSource,
  EventStream,
  EventStreamOptions,
} from './event-stream';

const ADMIN = userActor({ id: 1, name: 'root', role: 'admin', groups: [], bestPriority: 1 }, null);
const EVERYTHING: EventFilter = { requestId: null, workerUuid: null, types: null };

/**
 * An audit table and feed in memory: `commit` appends rows and hands them to the listeners as
 * AuditFeed does; `duringReplay` runs inside every replay query, to commit while it runs.
 */
class ScriptedSource implements EventSource {
  readonly rows: AuditRecord[] = [];
  readonly listeners = new Set<(record: AuditRecord) => void>();
  duringReplay: () => void = () => undefined;
  replays = 0;
  padding = '';

  commit(count = 1): void {
    for (let i = 0; i < count; i++) {
      const record: AuditRecord = {
        id: this.rows.length + 1,
        at: new Date(0),
        actor: 'system:test',
        type: 'worker.updated',
        aggregate: 'worker',
        aggregateId: 'w',
        before: null,
        after: null,
        reason: null,
        event: null,
      };
      this.rows.push(record);
      for (const listener of this.listeners) listener(record);
    }
  }

  async subscribe(listener: (record: AuditRecord) => void) {
    this.listeners.add(listener);
    return { position: this.position(), unsubscribe: () => this.listeners.delete(listener) };
  }

  position(): number {
    return this.rows.length;
  }

  async replay(after: number, upTo: number, _filter: EventFilter, limit: number) {
    this.replays++;
    const page = this.rows.filter((r) => r.id > after && r.id <= upTo).slice(0, limit);
    await new Promise((resolve) => setImmediate(resolve));
    // Rows committed while the query runs: above upTo, so not in its answer.
    this.duringReplay();
    return page;
  }

  async present(record: AuditRecord): Promise<PresentedEvent> {
    const scope = { requestId: null, workerUuid: 'w', owner: null, adminOnly: false };
    const data = JSON.stringify({ id: record.id, padding: this.padding });
    return {
      scope,
      dto: {} as PresentedEvent['dto'],
      frame: `id: ${record.id}\nevent: ${record.type}\ndata: ${data}\n\n`,
    };
  }
}

describe('EventStream', () => {
  let server: http.Server;
  let streams: EventStream[];
  let source: ScriptedSource;
  let options: EventStreamOptions;
  let since: number | null;

  beforeEach(async () => {
    streams = [];
    source = new ScriptedSource();
    options = { ...DEFAULT_STREAM_OPTIONS, pageSize: 10 };
    since = 0;
    server = http.createServer((_req, res) => {
      const stream = new EventStream(res, source, ADMIN, EVERYTHING, options);
      streams.push(stream);
      void stream.start(since);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    for (const stream of streams) stream.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  interface Client {
    ids: number[];
    comments: number;
    /** The data of a `stream.reset` event, once it came. */
    reset: string | null;
    response: http.IncomingMessage;
  }

  /** Opens a stream; `ids` grows as events arrive (frames parsed once each: some are large). */
  function client(): Promise<Client> {
    const { port } = server.address() as AddressInfo;
    return new Promise((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/' }, (response) => {
        const c: Client = { ids: [], comments: 0, reset: null, response };
        let rest = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const frames = (rest + chunk).split('\n\n');
          rest = frames.pop()!;
          for (const frame of frames) {
            const id = /^id: (\d+)$/m.exec(frame);
            if (id) c.ids.push(Number(id[1]));
            if (frame.startsWith(': keep-alive')) c.comments++;
            if (frame.startsWith('event: stream.reset')) c.reset = /^data: (.*)$/m.exec(frame)![1];
          }
        });
        resolve(c);
      });
    });
  }

  async function until(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!check()) throw new Error(`timed out waiting for ${what}`);
  }

  const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('misses and repeats nothing when rows commit during every replay query', async () => {
    source.commit(95);
    // Each replay query sees three more rows commit; it stops after a while.
    source.duringReplay = () => {
      if (source.rows.length < 200) source.commit(3);
    };
    const c = await client();
    await until(() => source.rows.length >= 200 && c.ids.length === source.rows.length, 'all rows');
    source.commit(5);
    await until(() => c.ids.length === 205, 'the live rows');
    expect(c.ids).toEqual(oneToN(205));
    expect(source.replays).toBeGreaterThan(10);
  });

  it('starts live from the newest row without a since, and skips rows up to a since ahead of it', async () => {
    source.commit(5);
    since = null;
    const fresh = await client();
    since = 8;
    const ahead = await client();
    await until(() => streams.length === 2 && source.listeners.size === 2, 'both streams');
    source.commit(5);
    await until(() => fresh.ids.length === 5 && ahead.ids.length === 2, 'the live rows');
    expect(fresh.ids).toEqual([6, 7, 8, 9, 10]);
    expect(ahead.ids).toEqual([9, 10]);
  });

  it('holds a bounded queue for a slow client, then catches up from the table in order', async () => {
    options = { ...options, maxPending: 20 };
    source.padding = 'x'.repeat(16_000);
    const c = await client();
    await until(() => source.listeners.size === 1, 'the stream');
    c.response.pause();
    let mostPending = 0;
    for (let i = 0; i < 40; i++) {
      source.commit(50);
      const pending = (streams[0] as unknown as { pending: unknown[] }).pending.length;
      mostPending = Math.max(mostPending, pending);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(mostPending).toBeLessThanOrEqual(20);
    const replaysWhileSlow = source.replays;
    c.response.resume();
    await until(() => c.ids.length === 2000, 'every row');
    expect(c.ids).toEqual(oneToN(2000));
    // It went back to the table rather than hold 2000 events in memory.
    expect(source.replays).toBeGreaterThan(replaysWhileSlow);
  });

  it('tells a client that reads nothing where to resume, and drops it', async () => {
    options = { ...options, stallLimitMs: 300 };
    source.padding = 'x'.repeat(16_000);
    source.commit(3);
    const c = await client();
    await until(() => c.ids.length === 3, 'the first rows');
    c.response.pause();
    source.commit(1000);
    await until(() => source.listeners.size === 0, 'the stream to be dropped');
    c.response.resume();
    await new Promise((resolve) => c.response.on('end', resolve));
    expect(c.reset).not.toBeNull();
    const { lastEventId } = JSON.parse(c.reset!) as { lastEventId: number };
    expect(lastEventId).toBe(c.ids.at(-1));
  });

  it('sends a comment line while nothing happens', async () => {
    options = { ...options, keepAliveMs: 50 };
    const c = await client();
    await until(() => c.comments >= 2, 'two keep-alives');
  });
});
