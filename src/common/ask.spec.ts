import { capsNoOfferSatisfies, groupsAdmit, isCompatible, Offer } from './ask';

const ask = (ownerGroups: string[], anyGroup = false) => ({
  caps: { board: 'rpi4' },
  ownerGroups,
  anyGroup,
});
const worker = (groups: string[]) => ({ caps: { board: 'rpi4' }, groups });

describe('groups reserve boards', () => {
  it('a worker with no groups serves everyone', () => {
    expect(groupsAdmit([], ask([]))).toBe(true);
    expect(groupsAdmit([], ask(['lab-a']))).toBe(true);
    expect(groupsAdmit([], ask([], true))).toBe(true);
  });

  it('a worker in groups serves only requesters in one of them', () => {
    expect(groupsAdmit(['teamA'], ask([]))).toBe(false);
    expect(groupsAdmit(['teamA'], ask(['lab-b']))).toBe(false);
    expect(groupsAdmit(['teamA', 'lab-b'], ask(['lab-b']))).toBe(true);
    expect(isCompatible(worker(['teamA']), ask([]))).toBe(false);
  });

  it('and admins, whatever their groups', () => {
    expect(groupsAdmit(['teamA'], ask([], true))).toBe(true);
    expect(isCompatible(worker(['teamA']), ask([], true))).toBe(true);
  });
});

describe('caps no offer satisfies', () => {
  it('names each requested cap that no offer meets on its own, whatever the rule', () => {
    const offers: Offer[] = [
      { caps: { board: 'rpi4', ram_gb: '2' }, groups: [] },
      { caps: { board: 'odroid', rev: 'a' }, groups: [] },
    ];
    expect(
      capsNoOfferSatisfies(
        { arch: ['arm64', 'armv7'], board: 'rpi4', ram_gb: { min: 4 }, rev: { not: 'a' } },
        offers,
      ),
    ).toEqual(['arch', 'ram_gb']);
    // Each cap is met by some offer (not by one offer alone): nothing to name.
    expect(capsNoOfferSatisfies({ board: 'odroid', ram_gb: { max: 2 } }, offers)).toEqual([]);
    expect(capsNoOfferSatisfies({ board: 'rpi4' }, [])).toEqual(['board']);
  });
});
