import { TESTER, ADMIN } from './support/actors';
import { requestInput } from './factories/request.factory';
import { startTestApp, TestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';

describe('listing requests: filter, sort and the upstream paginator', () => {
  const dir = tempDir();
  let t: TestApp;
  const ids: number[] = [];

  beforeAll(async () => {
    t = await startTestApp({ dataDir: dir.path });
    for (const priority of [5, 3, 5, 1, 3]) {
      ids.push(
        (await t.requests.create(requestInput({ caps: { board: 'none' }, priority }), TESTER)).id,
      );
    }
    await t.requests.close(ids[2], TESTER);
  });
  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  const byId = { item: 'id' as const, order: 'asc' as const };
  const all = { direction: 'forward' as const, limit: 100 };
  const idsOf = (page: { items: Array<{ request: { id: number } }> }) =>
    page.items.map((i) => i.request.id);

  it('filters any-of within a field and AND across fields', async () => {
    const page = await t.requests.list(
      { priorities: [3, 5], states: ['WAITING'] },
      byId,
      all,
      ADMIN,
    );
    expect(idsOf(page)).toEqual([ids[0], ids[1], ids[4]]);
    expect(page.total).toBe(3);
    expect(idsOf(await t.requests.list({ ids: [ids[2], ids[3]] }, byId, all, ADMIN))).toEqual([
      ids[2],
      ids[3],
    ]);
  });

  it('sorts by priority then id, both directions', async () => {
    expect(
      idsOf(await t.requests.list({}, { item: 'priority', order: 'asc' }, all, ADMIN)),
    ).toEqual([ids[3], ids[1], ids[4], ids[0], ids[2]]);
    expect(
      idsOf(await t.requests.list({}, { item: 'priority', order: 'desc' }, all, ADMIN)),
    ).toEqual([ids[2], ids[0], ids[4], ids[1], ids[3]]);
  });

  it('pages forward and backward from a border with total and remaining counts', async () => {
    const first = await t.requests.list({}, byId, { direction: 'forward', limit: 2 }, ADMIN);
    expect(idsOf(first)).toEqual([ids[0], ids[1]]);
    expect([first.total, first.remaining]).toEqual([5, 3]);
    const next = await t.requests.list(
      {},
      byId,
      {
        border: ids[1],
        direction: 'forward',
        limit: 2,
      },
      ADMIN,
    );
    expect(idsOf(next)).toEqual([ids[2], ids[3]]);
    expect(next.remaining).toBe(1);
    const back = await t.requests.list(
      {},
      byId,
      {
        border: ids[3],
        direction: 'backward',
        limit: 2,
      },
      ADMIN,
    );
    expect(idsOf(back)).toEqual([ids[1], ids[2]]);
    expect(back.remaining).toBe(1);
    const sortedBack = await t.requests.list(
      {},
      { item: 'priority', order: 'asc' },
      { border: ids[0], direction: 'backward', limit: 10 },
      ADMIN,
    );
    expect(idsOf(sortedBack)).toEqual([ids[3], ids[1], ids[4]]);
  });

  it('reports an unknown border', async () => {
    await expect(
      t.requests.list({}, byId, { border: 999, direction: 'forward', limit: 1 }, ADMIN),
    ).rejects.toMatchObject({
      code: 'paginator-border-not-found',
      kind: 'not-found',
    });
  });
});
