import { logColors } from './log-colors';

describe('log colours', () => {
  it('only on a terminal', () => {
    expect(logColors({}, true)).toBe(true);
    expect(logColors({}, false)).toBe(false);
  });
  it('never with NO_COLOR (any non-empty value) or a dumb terminal', () => {
    expect(logColors({ NO_COLOR: '1' }, true)).toBe(false);
    expect(logColors({ NO_COLOR: '' }, true)).toBe(true);
    expect(logColors({ TERM: 'dumb' }, true)).toBe(false);
  });
});
