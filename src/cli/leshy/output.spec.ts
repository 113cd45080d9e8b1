import { fields, formatBytes, formatCaps, formatSpan, relative, table } from './output';

describe('output formatting', () => {
  it('pads table columns to the widest cell and shows empty cells as -', () => {
    expect(
      table(
        ['ID', 'STATE', 'OWNER'],
        [
          [1, 'WAITING', 'alice'],
          [142, 'IN PROGRESS', null],
        ],
      ),
    ).toBe(
      ['ID   STATE        OWNER', '1    WAITING      alice', '142  IN PROGRESS  -'].join('\n'),
    );
  });

  it('aligns fields and leaves out empty ones', () => {
    expect(
      fields([
        ['request', '42'],
        ['worker', null],
        ['deadline', 'soon'],
      ]),
    ).toBe('request:  42\ndeadline: soon');
  });

  it('writes caps in the --caps syntax', () => {
    expect(formatCaps({ ram: { min: 2, max: 8 }, rev: { not: ['a', 'b'] } })).toBe(
      'ram>=2,ram<=8,rev!=a|b',
    );
    expect(
      formatCaps({ board: 'rpi4', arch: ['a', 'b'], ram: { min: 4 }, rev: { not: 'x' } }),
    ).toBe('board=rpi4,arch=a|b,ram>=4,rev!=x');
  });

  it('writes spans in their two largest units', () => {
    expect(formatSpan(0)).toBe('0s');
    expect(formatSpan(45_000)).toBe('45s');
    expect(formatSpan(2 * 3600_000 + 5 * 60_000 + 7_000)).toBe('2h 5m');
    expect(formatSpan(-5_000)).toBe('0s');
    const now = Date.parse('2026-12-02T10:00:00Z');
    expect(relative('2026-12-02T10:12:00Z', now)).toBe('in 12m');
    expect(relative('2026-12-02T09:00:00Z', now)).toBe('1h ago');
  });

  it('writes byte counts in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
  });
});
