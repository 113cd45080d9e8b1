import { layoutDisplayRows } from './display-text.layout';

describe('layoutDisplayRows', () => {
  it('wraps words into rows of at most 16 characters', () => {
    expect(layoutDisplayRows('PSU broken, ask Ana in room 4')).toEqual([
      'PSU broken, ask',
      'Ana in room 4',
    ]);
  });

  it('keeps at most 6 words a row (the firmware takes 10 tokens, text X Y on uses 4)', () => {
    expect(layoutDisplayRows('a b c d e f g h')).toEqual(['a b c d e f', 'g h']);
  });

  it('cuts long words, stops after three rows and marks the overflow', () => {
    expect(layoutDisplayRows('x'.repeat(40) + ' tail end')).toEqual([
      'x'.repeat(16),
      'x'.repeat(16),
      'x'.repeat(8) + ' tail..',
    ]);
    expect(
      layoutDisplayRows('one two three four five six seven eight nine ten eleven twelve'),
    ).toEqual(['one two three', 'four five six', 'seven eight..']);
  });

  it('replaces characters the OLED font lacks and never sends an empty message', () => {
    expect(layoutDisplayRows('Zażółć gęślą')).toEqual(['Za???? g??l?']);
    expect(layoutDisplayRows('   ')).toEqual(['maintenance']);
  });
});
