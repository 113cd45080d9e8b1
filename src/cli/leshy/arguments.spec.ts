import { InvalidArgumentError } from 'commander';
import {
  parseCaps,
  parseList,
  parsePriority,
  parseRequestId,
  parseStates,
  parseTimeArg,
} from './arguments';

describe('argument parsers', () => {
  it('read caps: plain values, alternatives, a minimum and an exclusion', () => {
    expect(parseCaps('board=rpi4, arch=arm64|armv7,ram_gb>=4,rev!=a')).toEqual({
      board: 'rpi4',
      arch: ['arm64', 'armv7'],
      ram_gb: { min: 4 },
      rev: { not: 'a' },
    });
    expect(parseCaps('arch=arm64', { board: 'rpi4' })).toEqual({ board: 'rpi4', arch: 'arm64' });
    expect(parseCaps('ram_gb>=4,ram_gb<=16,rev!=a|b')).toEqual({
      ram_gb: { min: 4, max: 16 },
      rev: { not: ['a', 'b'] },
    });
  });

  it.each(['board', 'board=', '=rpi4', 'ram>=lots'])('refuse the cap %p', (text) => {
    expect(() => parseCaps(text)).toThrow(InvalidArgumentError);
  });

  it('take priorities 1..16 only', () => {
    expect(parsePriority('1')).toBe(1);
    expect(parsePriority('16')).toBe(16);
    for (const bad of ['0', '17', '2.5', 'high'])
      expect(() => parsePriority(bad)).toThrow(/1 \(highest\) to 16/);
  });

  it('read times as a duration from now or an RFC 3339 time', () => {
    const now = Date.parse('2026-12-02T10:00:00Z');
    expect(parseTimeArg('2h', now)).toBe('2026-12-02T12:00:00.000Z');
    expect(parseTimeArg('2026-12-03T00:00:00+01:00', now)).toBe('2026-12-02T23:00:00.000Z');
    expect(() => parseTimeArg('tomorrow', now)).toThrow(/neither a duration/);
  });

  it('take request ids as positive whole numbers', () => {
    expect(parseRequestId('42')).toBe(42);
    for (const bad of ['0', '-1', '4x', ''])
      expect(() => parseRequestId(bad)).toThrow(InvalidArgumentError);
  });

  it('write states as the API names them', () => {
    expect(parseStates('waiting,in-progress,DONE')).toBe('WAITING,IN PROGRESS,DONE');
    expect(() => parseStates('sleeping')).toThrow(/not a request state/);
  });

  it('split lists, dropping blanks and repeats', () => {
    expect(parseList('a, b,,a')).toEqual(['a', 'b']);
    expect(parseList('')).toEqual([]);
  });
});
