import { WorkerView } from '../events/domain-event';
import { pageOfWorkers } from './worker-list.query';

const worker = (uuid: string, state: string, groups: string[], board: string) =>
  ({ uuid, state, groups, caps: { UUID: uuid, board } }) as unknown as WorkerView;

describe('listing workers', () => {
  const workers = [
    worker('c', 'IDLE', ['lab-a'], 'rpi4'),
    worker('a', 'MAINTENANCE', [], 'odroid'),
    worker('d', 'FAILED', ['lab-b'], 'rpi4'),
    worker('b', 'IDLE', ['lab-a', 'lab-b'], 'rpi4'),
  ];
  const forward = (limit = 100, border?: string) => ({
    direction: 'forward' as const,
    limit,
    border,
  });
  const uuids = (page: { items: WorkerView[] }) => page.items.map((w) => w.uuid);

  it('filters groups any-of and caps all-equal', () => {
    expect(
      uuids(
        pageOfWorkers(workers, { groups: ['lab-b'] }, { item: 'uuid', order: 'asc' }, forward()),
      ),
    ).toEqual(['b', 'd']);
    expect(
      uuids(
        pageOfWorkers(
          workers,
          { caps: { board: 'rpi4' }, groups: ['lab-a'] },
          { item: 'uuid', order: 'asc' },
          forward(),
        ),
      ),
    ).toEqual(['b', 'c']);
  });

  it('filters states any-of', () => {
    const page = pageOfWorkers(
      workers,
      { states: ['FAILED', 'MAINTENANCE'] },
      { item: 'uuid', order: 'asc' },
      forward(),
    );
    expect([uuids(page), page.total]).toEqual([['a', 'd'], 2]);
  });

  it('sorts by state and by groups, ties by UUID', () => {
    expect(uuids(pageOfWorkers(workers, {}, { item: 'state', order: 'asc' }, forward()))).toEqual([
      'd',
      'b',
      'c',
      'a',
    ]);
    expect(uuids(pageOfWorkers(workers, {}, { item: 'groups', order: 'desc' }, forward()))).toEqual(
      ['d', 'b', 'c', 'a'],
    );
  });

  it('pages from a border in both directions', () => {
    const sort = { item: 'uuid' as const, order: 'asc' as const };
    const page = pageOfWorkers(workers, {}, sort, forward(2, 'a'));
    expect([uuids(page), page.total, page.remaining]).toEqual([['b', 'c'], 4, 1]);
    const back = pageOfWorkers(workers, {}, sort, { direction: 'backward', limit: 2, border: 'd' });
    expect([uuids(back), back.remaining]).toEqual([['b', 'c'], 1]);
    expect(() => pageOfWorkers(workers, {}, sort, forward(2, 'zzz'))).toThrow(/not found/);
    // API v2: a border deregistered since the previous page is where it stood.
    expect(uuids(pageOfWorkers(workers, {}, sort, forward(2, 'bb'), 'continue'))).toEqual([
      'c',
      'd',
    ]);
  });
});
