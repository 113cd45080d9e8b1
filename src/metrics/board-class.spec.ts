import { normalizeCapsQuery } from '../common/caps-query';
import { BoardClass, requestBoardClass } from './board-class';

describe('requestBoardClass', () => {
  it('is the exact value asked, (any) when not asked, one (rich) label for every rule', () => {
    expect(requestBoardClass({ board: 'rpi4' }, 'board')).toBe('rpi4');
    expect(requestBoardClass({ arch: 'arm64' }, 'board')).toBe(BoardClass.Any);
    for (const board of [['a', 'b'], { min: 1 }, { not: 'a' }])
      expect(requestBoardClass(normalizeCapsQuery({ board }), 'board')).toBe(BoardClass.Rich);
  });
});
