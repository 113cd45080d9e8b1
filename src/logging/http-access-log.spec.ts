import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { Writable } from 'node:stream';
import { httpAccessLog } from './http-access-log';

function capture(level = 'debug') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, middleware: httpAccessLog(pino({ level }, stream)) };
}

/** An exchange as the middleware sees it: `finish` when answered, then `close`. */
function exchange(method: string, url: string) {
  const req = { method, url } as IncomingMessage;
  const res = Object.assign(new EventEmitter(), {
    statusCode: 200,
    writableFinished: false,
  }) as unknown as ServerResponse & EventEmitter;
  return {
    req,
    res,
    answer(status: number) {
      res.statusCode = status;
      (res as { writableFinished: boolean }).writableFinished = true;
      res.emit('finish');
      res.emit('close');
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('httpAccessLog', () => {
  it('writes one line per exchange, with its path (no query), status and the request it names', async () => {
    const { lines, middleware } = capture();
    const call = exchange('POST', '/api/v1/reqs/17/acquire_worker?x=secret');
    const next = jest.fn();
    middleware(call.req, call.res, next);
    expect(next).toHaveBeenCalledTimes(1);
    call.answer(200);
    await flush();
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        context: 'HTTP',
        httpId: 1,
        req: { method: 'POST', path: '/api/v1/reqs/17/acquire_worker' },
        res: { status: 200 },
        requestId: 17,
        msg: 'POST /api/v1/reqs/17/acquire_worker 200',
      }),
    ]);
    expect(lines[0]).not.toHaveProperty('aborted');
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('warns of a 5xx only; a 4xx is info, a successful probe debug', async () => {
    const { lines, middleware } = capture();
    for (const [url, status] of [
      ['/api/v2/requests/5', 500],
      ['/api/v2/requests/5', 404],
      ['/health', 200],
    ] as const) {
      const call = exchange('GET', url);
      middleware(call.req, call.res, () => undefined);
      call.answer(status);
    }
    await flush();
    expect(lines.map((l) => [l.level, l.msg, l.httpId])).toEqual([
      [40, 'GET /api/v2/requests/5 500', 1],
      [30, 'GET /api/v2/requests/5 404', 2],
      [20, 'GET /health 200', 3],
    ]);
  });

  it('marks an exchange the client closed before its answer', async () => {
    const { lines, middleware } = capture();
    const call = exchange('GET', '/api/v2/requests/5?waitFor=IN_PROGRESS');
    middleware(call.req, call.res, () => undefined);
    call.res.emit('close');
    await flush();
    expect(lines).toEqual([expect.objectContaining({ aborted: true, requestId: 5 })]);
  });

  it('writes nothing below its level', async () => {
    const { lines, middleware } = capture('info');
    const call = exchange('GET', '/metrics');
    middleware(call.req, call.res, () => undefined);
    call.answer(200);
    await flush();
    expect(lines).toEqual([]);
  });
});
