import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { ApiClient } from './api-client';
import { ProgressLine } from './progress';
import { describeWait, ordinal, waitForRequest } from './request-waiter';
import { captureIo } from './testing/capture-io';

/**
 * The waiter against a small HTTP server that plays API v2's part: the waitFor long poll, the
 * explain route and the event stream, each scripted by the test.
 */
describe('waitForRequest', () => {
  let server: Server;
  let client: ApiClient;
  let state = 'WAITING';
  let waitHeader: boolean;
  let position = 3;
  let explainDelayMs = 0;
  const streams = new Set<ServerResponse>();
  const polls: string[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/api/v2/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(': hello\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (url.pathname === '/api/v2/requests/42/explain') {
      setTimeout(
        () =>
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(
            JSON.stringify({
              requestId: 42,
              state,
              ready: true,
              position: { inPriority: 1, overall: position },
              workers: [],
              estimatedStart: null,
              missingCaps: [],
              summary: '',
            }),
          ),
        explainDelayMs,
      );
      return;
    }
    if (url.pathname === '/api/v2/requests/42') {
      polls.push(url.search);
      const wanted = (url.searchParams.get('waitFor') ?? '').split(',');
      const seconds = Number(/^(\d+)s$/.exec(url.searchParams.get('timeout') ?? '')?.[1] ?? 30);
      const answer = (result: string) => {
        res.writeHead(200, {
          'Content-Type': 'application/json',
          ...(waitHeader ? { 'Wait-Result': result } : {}),
        });
        res.end(JSON.stringify({ id: 42, state }));
      };
      if (!waitHeader) return answer('');
      if (wanted.includes(state)) return answer('reached');
      if (['CANCELLED', 'DONE', 'TIMEOUT'].includes(state)) return answer('unreachable');
      const timer = setTimeout(() => answer('timeout'), seconds * 1000);
      const check = setInterval(() => {
        if (wanted.includes(state) || state === 'CANCELLED') {
          clearTimeout(timer);
          clearInterval(check);
          answer(wanted.includes(state) ? 'reached' : 'unreachable');
        }
      }, 20);
      res.on('close', () => {
        clearTimeout(timer);
        clearInterval(check);
      });
      return;
    }
    res.writeHead(404).end();
  };

  beforeAll(async () => {
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new ApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 't');
  });
  afterAll(async () => {
    for (const s of streams) s.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    state = 'WAITING';
    waitHeader = true;
    position = 3;
    explainDelayMs = 0;
    polls.length = 0;
  });

  const event = (type: string) => {
    for (const s of streams) s.write(`id: 1\nevent: ${type}\ndata: {"type":"${type}"}\n\n`);
  };

  it('returns once the request is in the state, and shows the queue position as it changes', async () => {
    const io = captureIo();
    const progress = new ProgressLine(io, false);
    const waiting = waitForRequest(client, 42, {
      states: ['IN PROGRESS'],
      signal: new AbortController().signal,
      progress,
    });
    await until(() => io.err().includes('3rd in the queue') && streams.size > 0);
    position = 1;
    event('request.state-changed');
    await until(() => io.err().includes('1st in the queue'));
    state = 'IN PROGRESS';
    await expect(waiting).resolves.toEqual({
      request: { id: 42, state: 'IN PROGRESS' },
      result: 'reached',
    });
    expect(polls[0]).toBe('?waitFor=IN+PROGRESS&timeout=300s');
    expect(io.err()).toBe(
      'request 42 WAITING: 3rd in the queue\nrequest 42 WAITING: 1st in the queue\n',
    );
    await until(() => streams.size === 0); // the waiter closed its stream
  });

  it('leaves no timer behind when the wait ends while the first explain is on its way', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    state = 'IN PROGRESS';
    explainDelayMs = 200;
    const progress = new ProgressLine(captureIo(), false);
    await expect(
      waitForRequest(client, 42, {
        states: ['IN PROGRESS'],
        signal: new AbortController().signal,
        progress,
      }),
    ).resolves.toMatchObject({ result: 'reached' });
    // Once the late explain has been answered, every timer of the wait is gone (a leaked
    // progress timer never goes: this times out). Polled, not slept: a busy machine answers late.
    await until(() => timers() === before);
  });

  it('says "unreachable" when the request ended otherwise', async () => {
    const waiting = waitForRequest(client, 42, {
      states: ['IN PROGRESS'],
      signal: new AbortController().signal,
    });
    await until(() => polls.length > 0);
    state = 'CANCELLED';
    await expect(waiting).resolves.toMatchObject({
      result: 'unreachable',
      request: { state: 'CANCELLED' },
    });
  });

  it('gives up at its timeout', async () => {
    const started = Date.now();
    await expect(
      waitForRequest(client, 42, {
        states: ['IN PROGRESS'],
        timeoutMs: 1000,
        signal: new AbortController().signal,
      }),
    ).resolves.toMatchObject({
      result: 'timeout',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('decides by itself when the server answers without Wait-Result', async () => {
    waitHeader = false;
    state = 'DONE';
    await expect(
      waitForRequest(client, 42, { states: ['IN PROGRESS'], signal: new AbortController().signal }),
    ).resolves.toMatchObject({ result: 'unreachable' });
    state = 'IN PROGRESS';
    await expect(
      waitForRequest(client, 42, { states: ['IN PROGRESS'], signal: new AbortController().signal }),
    ).resolves.toMatchObject({ result: 'reached' });
  });
});

describe('describeWait', () => {
  it('prefers the server summary and falls back to the position', () => {
    const base = {
      requestId: 7,
      state: 'WAITING',
      ready: true,
      workers: [],
      estimatedStart: null,
      missingCaps: [],
    };
    expect(
      describeWait({ ...base, position: { inPriority: 1, overall: 2 }, summary: 'busy' }),
    ).toBe('request 7 WAITING: busy');
    expect(describeWait({ ...base, position: { inPriority: 1, overall: 2 }, summary: '' })).toBe(
      'request 7 WAITING: 2nd in the queue',
    );
    expect([1, 2, 3, 4, 11, 12, 13, 21, 102].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '102nd',
    ]);
  });
});

async function until(probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
