import { DataSource } from 'typeorm';
import { v1Json } from './support/http-client';
import { scratchPostgres } from './support/scratch-postgres';
import { tempDir } from './support/temp-dir';
import { startTestApp, TestApp } from './support/test-app';
import { TESTER } from './support/actors';

/**
 * Request ids are 64-bit on both databases, and ids that no request can have (beyond what
 * Leshy can issue) answer "not found", never a 500.
 */
describe.each(['sqlite', 'postgres'] as const)('request ids beyond 2^31 (%s)', (kind) => {
  const dir = tempDir();
  let t: TestApp;
  let baseUrl: string;
  let database: Awaited<ReturnType<typeof scratchPostgres>> | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') database = await scratchPostgres();
    const start = () =>
      startTestApp({
        dataDir: dir.path,
        http: true,
        env: database ? { LESHY_DATABASE_URL: database.url } : {},
        sqliteOnly: kind === 'sqlite',
      });
    t = await start();
    const dataSource = t.app.get(DataSource);
    // The next request gets id 2^31 + 1.
    if (kind === 'postgres') await dataSource.query(`SELECT setval('requests_id_seq', 2147483648)`);
    else {
      await t.requests.create({ caps: { board: 'first' }, priority: 8 }, TESTER);
      await dataSource.query(`UPDATE sqlite_sequence SET seq = 2147483648 WHERE name = 'requests'`);
      // The server counts SQLite's request ids itself from what the database held at start.
      await t.close();
      t = await start();
    }
    baseUrl = await t.app.getUrl();
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
    dir.remove();
  });

  it('a request with an id above 2^31 is created, read, listed and closed', async () => {
    const created = await v1Json(baseUrl, 'POST', '/api/v1/reqs/', {
      Priority: 4,
      Caps: { board: 'big' },
    });
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.body) as { ReqID: number }).ReqID;
    expect(id).toBe(2 ** 31 + 1);

    const read = await v1Json(baseUrl, 'GET', `/api/v1/reqs/${id}`);
    expect(read.status).toBe(200);
    expect((JSON.parse(read.body) as { ID: number }).ID).toBe(id);
    const listed = await v1Json(baseUrl, 'POST', '/api/v1/reqs/list', {
      Filter: { IDs: [id] },
    });
    expect((JSON.parse(listed.body) as Array<{ ID: number }>).map((r) => r.ID)).toEqual([id]);
    expect((await v1Json(baseUrl, 'POST', `/api/v1/reqs/${id}/close`)).status).toBe(204);
  });

  it.each([
    ['above 2^31', String(2 ** 31 + 100)],
    ['above 2^32', String(2 ** 32 + 7)],
    ['at MAX_SAFE_INTEGER', String(Number.MAX_SAFE_INTEGER)],
    ['beyond MAX_SAFE_INTEGER', '9007199254740993'],
    ['at 2^63', '9223372036854775808'],
    ['at 2^64 - 1', '18446744073709551615'],
  ])('an unknown id %s answers 404 "Request not found"', async (_what, id) => {
    for (const [method, path] of [
      ['GET', `/api/v1/reqs/${id}`],
      ['POST', `/api/v1/reqs/${id}/close`],
      ['POST', `/api/v1/reqs/${id}/prolong`],
      ['POST', `/api/v1/reqs/${id}/acquire_worker`],
    ]) {
      const answer = await v1Json(baseUrl, method, path);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(answer.body).toContain('Request not found');
    }
  });

  it('a list border beyond any id answers 404 as an unknown border, not 500', async () => {
    const listed = await v1Json(baseUrl, 'POST', '/api/v1/reqs/list', {
      Paginator: { ID: 2 ** 40, Direction: 'forward', Limit: 10 },
    });
    expect(listed.status).toBe(404);
    const huge = await v1Json(
      baseUrl,
      'POST',
      '/api/v1/reqs/list',
      '{"Paginator":{"ID":18446744073709551615,"Direction":"backward","Limit":10}}',
    );
    expect(huge.status).toBe(404);
  });
});
