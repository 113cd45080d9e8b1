import { deliverable, PendingGap } from './outbox-gaps';

const rows = (...ids: number[]) => ids.map((id) => ({ id }));
const gap: PendingGap = { upTo: 14, horizon: 100n, foundAt: 0 };

describe('outbox gaps: which audit rows may be delivered', () => {
  it('delivers contiguous ids', () => {
    expect(deliverable(rows(11, 12, 13), 10, null, false)).toEqual({
      deliver: rows(11, 12, 13),
      blocked: false,
    });
  });

  it('stops at a missing id while it may still commit', () => {
    expect(deliverable(rows(11, 13, 14), 10, null, false)).toEqual({
      deliver: rows(11),
      blocked: true,
    });
    expect(deliverable(rows(13, 14), 11, gap, false)).toEqual({ deliver: [], blocked: true });
  });

  it('skips missing ids covered by a settled gap, and only those', () => {
    expect(deliverable(rows(13, 14, 17), 11, gap, true)).toEqual({
      deliver: rows(13, 14),
      blocked: true,
    });
    // 15 is the first id after the gap's range: it may follow a skipped 14 too.
    expect(deliverable(rows(15), 13, gap, true)).toEqual({ deliver: rows(15), blocked: false });
  });

  it('delivers the missing id once it appears, in order', () => {
    expect(deliverable(rows(12, 13, 14), 11, gap, false)).toEqual({
      deliver: rows(12, 13, 14),
      blocked: false,
    });
  });
});
