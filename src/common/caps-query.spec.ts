import {
  capSatisfied,
  capsQuerySatisfied,
  describeCapAsk,
  isExactOnly,
  normalizeCapsQuery,
  numericCapValue,
} from './caps-query';
import { InvalidInputError } from './domain-error';

const refused = (caps: unknown) => {
  try {
    normalizeCapsQuery(caps);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(caps)}`);
};

describe('normalizeCapsQuery: the canonical form', () => {
  it('keeps exact values as strings, keys sorted by code point (old rows and API v1 unchanged)', () => {
    expect(JSON.stringify(normalizeCapsQuery({ board: 'rpi4', Arch: 'arm64', arch: '' }))).toBe(
      '{"Arch":"arm64","arch":"","board":"rpi4"}',
    );
    expect(normalizeCapsQuery(null)).toEqual({});
    expect(normalizeCapsQuery(undefined)).toEqual({});
  });

  it('sorts a list and drops its duplicates; a list of one value is that exact value', () => {
    expect(normalizeCapsQuery({ arch: ['armv7', 'arm64', 'armv7'] })).toEqual({
      arch: ['arm64', 'armv7'],
    });
    expect(normalizeCapsQuery({ arch: ['arm64', 'arm64'] })).toEqual({ arch: 'arm64' });
  });

  it('writes a range as {min, max} in that order, either bound optional', () => {
    expect(JSON.stringify(normalizeCapsQuery({ ram: { max: 8, min: 4 } }))).toBe(
      '{"ram":{"min":4,"max":8}}',
    );
    expect(normalizeCapsQuery({ ram: { min: 4 } })).toEqual({ ram: { min: 4 } });
    expect(normalizeCapsQuery({ ram: { max: 0.5 } })).toEqual({ ram: { max: 0.5 } });
    expect(normalizeCapsQuery({ ram: { min: 4, max: 4 } })).toEqual({ ram: { min: 4, max: 4 } });
  });

  it('writes a negation of one value as a string, of several as a sorted list', () => {
    expect(normalizeCapsQuery({ rev: { not: 'a' } })).toEqual({ rev: { not: 'a' } });
    expect(normalizeCapsQuery({ rev: { not: ['a'] } })).toEqual({ rev: { not: 'a' } });
    expect(normalizeCapsQuery({ rev: { not: ['c', 'a', 'c'] } })).toEqual({
      rev: { not: ['a', 'c'] },
    });
  });

  it('gives asks that mean the same thing the same JSON text', () => {
    const a = normalizeCapsQuery({
      rev: { not: ['b', 'a'] },
      arch: ['armv7', 'arm64'],
      ram: { max: 8, min: 2 },
      board: ['rpi4'],
    });
    const b = normalizeCapsQuery({
      board: 'rpi4',
      ram: { min: 2, max: 8 },
      arch: ['arm64', 'armv7', 'arm64'],
      rev: { not: ['a', 'b'] },
    });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(isExactOnly(a)).toBe(false);
    expect(isExactOnly(normalizeCapsQuery({ board: ['rpi4'] }))).toBe(true);
  });
});

describe('normalizeCapsQuery: every rule has its own message naming the key', () => {
  it.each<[string, unknown, string]>([
    [
      'not an object',
      'rpi4',
      'caps must be an object, e.g. {"board":"rpi4","arch":["arm64","armv7"]}',
    ],
    [
      'a list at the top',
      ['rpi4'],
      'caps must be an object, e.g. {"board":"rpi4","arch":["arm64","armv7"]}',
    ],
    ['an empty key (as before: API v1 shows this one)', { '': 'x' }, 'caps has an empty key'],
    [
      'a number',
      { ram_gb: 8 },
      'caps.ram_gb must be a string, a list of strings, {"min":…,"max":…} or {"not":…}, got 8',
    ],
    [
      'null',
      { board: null },
      'caps.board must be a string, a list of strings, {"min":…,"max":…} or {"not":…}, got null',
    ],
    [
      'a boolean',
      { hdmi: true },
      'caps.hdmi must be a string, a list of strings, {"min":…,"max":…} or {"not":…}, got true',
    ],
    [
      'an empty list',
      { arch: [] },
      'caps.arch: an empty list matches no worker; give at least one value',
    ],
    [
      'a list with a non-string',
      { arch: ['arm64', 7] },
      'caps.arch: a list must hold strings only, got 7 at index 1',
    ],
    [
      'an unknown rule',
      { ram_gb: { atLeast: 8 } },
      'caps.ram_gb: unknown rule "atLeast"; a rule is {"min":…,"max":…} or {"not":…}',
    ],
    ['an empty rule', { ram_gb: {} }, 'caps.ram_gb: {} has no rule; give "min", "max" or "not"'],
    [
      'not with a bound',
      { ram_gb: { not: '8', min: 1 } },
      'caps.ram_gb: "not" cannot be combined with "min" or "max"',
    ],
    [
      'a min that is a string',
      { ram_gb: { min: '8' } },
      'caps.ram_gb: min must be a number, got "8"',
    ],
    [
      'a max that is null',
      { ram_gb: { max: null } },
      'caps.ram_gb: max must be a number, got null',
    ],
    ['min above max', { ram_gb: { min: 8, max: 4 } }, 'caps.ram_gb: min 8 is above max 4'],
    [
      'not of a number',
      { rev: { not: 3 } },
      'caps.rev: not must be a string or a list of strings, got 3',
    ],
    [
      'not of an object',
      { rev: { not: { min: 1 } } },
      'caps.rev: not must be a string or a list of strings, got {"min":1}',
    ],
    [
      'not of an empty list',
      { rev: { not: [] } },
      'caps.rev: not [] excludes nothing; give at least one value',
    ],
    [
      'not of a list with a non-string',
      { rev: { not: ['a', null] } },
      'caps.rev: the list of not must hold strings only, got null at index 1',
    ],
  ])('%s', (_, caps, message) => {
    expect(refused(caps)).toBe(message);
  });

  it('refuses a list of more than 256 values, of either kind', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    expect(normalizeCapsQuery({ arch: values(256) }).arch).toHaveLength(256);
    expect(refused({ arch: values(257) })).toBe(
      'caps.arch: a list holds 257 values, at most 256 are allowed',
    );
    expect(refused({ rev: { not: values(300) } })).toBe(
      'caps.rev: the list of not holds 300 values, at most 256 are allowed',
    );
  });

  it('names the field given by the caller', () => {
    expect(() => normalizeCapsQuery({ a: [] }, 'body.caps')).toThrow(
      'body.caps.a: an empty list matches no worker; give at least one value',
    );
  });
});

describe('capSatisfied: what a worker value (or its absence) satisfies', () => {
  it('exact: only the same string; a missing cap does not', () => {
    expect(capSatisfied('rpi4', 'rpi4')).toBe(true);
    expect(capSatisfied('rpi4', 'rpi3')).toBe(false);
    expect(capSatisfied('rpi4', undefined)).toBe(false);
  });

  it('any of: one of the values; a missing cap does not', () => {
    expect(capSatisfied(['arm64', 'armv7'], 'armv7')).toBe(true);
    expect(capSatisfied(['arm64', 'armv7'], 'x86')).toBe(false);
    expect(capSatisfied(['arm64', 'armv7'], undefined)).toBe(false);
  });

  it('range: a number within the inclusive bounds; a missing cap or a non-number does not', () => {
    expect(capSatisfied({ min: 4, max: 8 }, '4')).toBe(true);
    expect(capSatisfied({ min: 4, max: 8 }, '8')).toBe(true);
    expect(capSatisfied({ min: 4, max: 8 }, '8.5')).toBe(false);
    expect(capSatisfied({ min: 4, max: 8 }, '3.99')).toBe(false);
    expect(capSatisfied({ min: 4 }, '1e3')).toBe(true);
    expect(capSatisfied({ max: 0 }, '-2')).toBe(true);
    expect(capSatisfied({ min: 4 }, undefined)).toBe(false);
    expect(capSatisfied({ min: 4 }, 'lots')).toBe(false);
    expect(capSatisfied({ max: 4 }, '')).toBe(false);
  });

  it('not: the worker lacks the cap, or has another value', () => {
    expect(capSatisfied({ not: 'a' }, 'b')).toBe(true);
    expect(capSatisfied({ not: 'a' }, 'a')).toBe(false);
    expect(capSatisfied({ not: 'a' }, undefined)).toBe(true);
    expect(capSatisfied({ not: ['a', 'b'] }, 'b')).toBe(false);
    expect(capSatisfied({ not: ['a', 'b'] }, 'c')).toBe(true);
    expect(capSatisfied({ not: ['a', 'b'] }, undefined)).toBe(true);
  });

  it('a query holds when every one of its caps does', () => {
    const query = normalizeCapsQuery({ board: 'rpi4', ram: { min: 2 }, rev: { not: 'a' } });
    expect(capsQuerySatisfied(query, { board: 'rpi4', ram: '4' })).toBe(true);
    expect(capsQuerySatisfied(query, { board: 'rpi4', ram: '4', rev: 'a' })).toBe(false);
    expect(capsQuerySatisfied(query, { board: 'rpi4', ram: '1' })).toBe(false);
    expect(capsQuerySatisfied(query, { ram: '4' })).toBe(false);
    expect(capsQuerySatisfied({}, {})).toBe(true);
  });
});

describe('numericCapValue: decimal notation only', () => {
  it.each<[string, number | null]>([
    ['8', 8],
    ['-1.5', -1.5],
    ['+2', 2],
    ['.5', 0.5],
    ['3.', 3],
    ['2e3', 2000],
    ['', null],
    [' 8', null],
    ['0x10', null],
    ['Infinity', null],
    ['1e999', null],
    ['8GB', null],
  ])('%j is %p', (text, value) => {
    expect(numericCapValue(text)).toBe(value);
  });
});

describe('describeCapAsk: the rule in words', () => {
  it.each<[unknown, string]>([
    ['rpi4', 'board=rpi4'],
    [['a', 'b'], 'board one of a, b'],
    [{ min: 4, max: 8 }, 'board a number from 4 to 8'],
    [{ min: 4 }, 'board a number ≥ 4'],
    [{ max: 8 }, 'board a number ≤ 8'],
    [{ not: 'a' }, 'board missing or not a'],
    [{ not: ['a', 'b'] }, 'board missing or not a, b'],
  ])('%j', (want, text) => {
    expect(describeCapAsk('board', normalizeCapsQuery({ board: want }).board)).toBe(text);
  });
});
