import { DISPLAY_ROW_Y, layoutDisplayRows } from './display-text.layout';

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

  it('cuts long words, stops after the two rows the OLED has and marks the overflow', () => {
    expect(layoutDisplayRows('x'.repeat(40) + ' tail end')).toEqual([
      'x'.repeat(16),
      'x'.repeat(14) + '..',
    ]);
    expect(layoutDisplayRows('one two three four five six seven eight nine')).toEqual([
      'one two three',
      'four five six..',
    ]);
  });

  it('draws the rows at Y = 0 and 2, the only two that do not overlap (8×16 font, 8-px pages)', () => {
    expect(DISPLAY_ROW_Y).toEqual([0, 2]);
  });

  it('replaces characters the OLED font lacks and never sends an empty message', () => {
    expect(layoutDisplayRows('Zażółć gęślą')).toEqual(['Za???? g??l?']);
    expect(layoutDisplayRows('   ')).toEqual(['maintenance']);
  });
});
