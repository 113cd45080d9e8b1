import { goJsonString, goJsonStringMap, goJsonStringSlice } from './go-json.encoder';
import { formatGoTimeJson, formatGoTimeRfc3339, GO_ZERO_TIME_MS } from './go-time';

describe("Go's JSON encoding of API v1 values", () => {
  it('escapes strings as Go 1.19 does', () => {
    expect(goJsonString('a"b\\c\nd\te\r')).toBe('"a\\"b\\\\c\\nd\\te\\r"');
    expect(goJsonString('<&>')).toBe('"\\u003c\\u0026\\u003e"');
    expect(goJsonString('\b\f\u0001\u2028')).toBe('"\\u0008\\u000c\\u0001\\u2028"');
    expect(goJsonString('ł😀')).toBe('"ł😀"');
    expect(goJsonString('\ud800x')).toBe('"\ufffdx"');
  });

  it('writes nil for empty maps and slices, and map keys in byte order', () => {
    expect(goJsonStringMap({})).toBe('null');
    expect(goJsonStringSlice([])).toBe('null');
    expect(goJsonStringMap({ board: 'rpi4', UUID: 'u', '9': 'x', '10': 'y' })).toBe(
      '{"10":"y","9":"x","UUID":"u","board":"rpi4"}',
    );
  });

  it('formats times like time.Time: fraction trimmed, header without fraction', () => {
    expect(formatGoTimeJson(new Date('2026-12-22T05:51:53.680Z'))).toBe('2026-12-22T05:51:53.68Z');
    expect(formatGoTimeJson(new Date('2099-01-01T00:00:00.000Z'))).toBe('2099-01-01T00:00:00Z');
    expect(formatGoTimeRfc3339(new Date('2026-11-22T06:51:53.999Z'))).toBe('2026-11-22T06:51:53Z');
    expect(formatGoTimeJson(new Date(GO_ZERO_TIME_MS))).toBe('0001-01-01T00:00:00Z');
  });
});
