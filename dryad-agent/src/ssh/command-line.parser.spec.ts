import { splitCommandLine } from './command-line.parser';

describe('splitCommandLine', () => {
  it.each([
    ['power tick 500', ['power', 'tick', '500']],
    ['  maintenance   PSU  broken ', ['maintenance', 'PSU', 'broken']],
    [`maintenance "PSU broken, ask Ana"`, ['maintenance', 'PSU broken, ask Ana']],
    [`maintenance 'it''s' "say \\"hi\\""`, ['maintenance', 'its', 'say "hi"']],
    ['maintenance a\\ b ""', ['maintenance', 'a b', '']],
    ['', []],
  ])('%s', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words);
  });
});
