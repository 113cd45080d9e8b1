import type { Offer } from '../common/ask';
import { normalizeCapsQuery } from '../common/caps-query';
import { unservableReason } from './unservable-notes.service';

const ask = (caps: unknown, ownerGroups: string[] = []) => ({
  caps: normalizeCapsQuery(caps),
  ownerGroups,
  anyGroup: false,
});
const offers: Offer[] = [
  { caps: { board: 'rpi4', ram_gb: '2', rev: 'a' }, groups: [] },
  { caps: { board: 'odroid', ram_gb: 'lots' }, groups: ['lab-a'] },
];

describe('unservableReason with rich caps', () => {
  it('is null when an offer satisfies every rule', () => {
    expect(
      unservableReason(ask({ board: ['odroid', 'x'], rev: { not: 'a' } }, ['lab-a']), offers),
    ).toBeNull();
  });

  it('names every cap no registered worker satisfies, with its rule', () => {
    expect(
      unservableReason(
        ask({ board: 'rpi4', ram_gb: { min: 4 }, arch: ['arm64', 'armv7'] }),
        offers,
      ),
    ).toBe(
      'no registered worker has the caps {"arch":["arm64","armv7"],"board":"rpi4","ram_gb":{"min":4}} (none has arch one of arm64, armv7; none has ram_gb a number ≥ 4)',
    );
    expect(unservableReason(ask({ board: { not: ['odroid', 'rpi4'] } }), [offers[0]])).toBe(
      'no registered worker has the caps {"board":{"not":["odroid","rpi4"]}} (none has board missing or not odroid, rpi4)',
    );
  });

  it('names no cap when each is met by some worker but none meets them all, or the ask is one exact cap', () => {
    expect(unservableReason(ask({ board: 'odroid', rev: 'a' }), offers)).toBe(
      'no registered worker has the caps {"board":"odroid","rev":"a"}',
    );
    expect(unservableReason(ask({ board: 'imx8' }), offers)).toBe(
      'no registered worker has the caps {"board":"imx8"}',
    );
  });

  it('still says when the groups are what is missing', () => {
    expect(unservableReason(ask({ board: ['odroid'] }, ['lab-b']), offers)).toBe(
      'no registered worker with the caps {"board":"odroid"} is in the groups ["lab-b"]',
    );
  });
});
