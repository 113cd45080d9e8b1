import { median } from './median';

describe('median', () => {
  it('is the middle value, the mean of the middle two, or null for nothing', () => {
    expect(median([])).toBeNull();
    expect(median([7])).toBe(7);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
