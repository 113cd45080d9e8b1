import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { ApiClient, ApiError } from './api-client';
import { CliError, ExitCode } from './exit-codes';

describe('ApiClient', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ url: string; auth?: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url!, auth: req.headers.authorization, body });
        const status = Number(/status=(\d+)/.exec(req.url!)?.[1] ?? 200);
        if (status === 200) {
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
          return;
        }
        res.writeHead(status, { 'Content-Type': 'application/problem+json' }).end(
          JSON.stringify({
            status,
            title: 'x',
            detail: `detail ${status}`,
            code: `code-${status}`,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('sends the token as Bearer and the body as JSON, leaving out empty query values', async () => {
    const client = new ApiClient(base, 'lsy_t');
    expect(
      await client.post('/api/v2/x', { a: 1 }, { query: { state: 'WAITING', owner: undefined } }),
    ).toEqual({ ok: true });
    expect(seen.at(-1)).toEqual({
      url: '/api/v2/x?state=WAITING',
      auth: 'Bearer lsy_t',
      body: '{"a":1}',
    });
  });

  it.each([
    [404, ExitCode.NotFound],
    [403, ExitCode.Forbidden],
    [409, ExitCode.Conflict],
    [400, ExitCode.Usage],
  ])('turns a %i problem into its detail and exit code', async (status, code) => {
    const error = (await new ApiClient(base, 't')
      .get(`/p?status=${status}`)
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.exitCode).toBe(code);
    expect(error.message).toBe(`detail ${status}`);
    expect(error.problem.code).toBe(`code-${status}`);
  });

  it('says a refused token is the problem, and what to do', async () => {
    const error = (await new ApiClient(base, 't')
      .get('/p?status=401')
      .catch((e: unknown) => e)) as ApiError;
    expect(error.exitCode).toBe(ExitCode.Unauthenticated);
    expect(error.message).toBe('the server refused the token: detail 401');
    expect(error.hint).toMatch(/leshy login --token/);
  });

  it('says in one line that a server does not answer', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = (await new ApiClient(`http://127.0.0.1:${port}`, 't')
      .get('/x')
      .catch((e: unknown) => e)) as CliError;
    expect(error.exitCode).toBe(ExitCode.Unreachable);
    expect(error.message).toBe(
      `cannot reach the Leshy server at http://127.0.0.1:${port} (connection refused)`,
    );
  });
});
