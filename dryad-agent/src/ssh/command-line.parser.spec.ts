import { quoteCommandWord, splitCommandLine } from './command-line.parser';

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

describe('quoteCommandWord', () => {
  it.each(['new SD card', 'say "hi" to \\server\\share', "it's  two  spaces", '', '\\'])(
    '%j comes back as one word',
    (word) => {
      expect(splitCommandLine(`maintenance ${quoteCommandWord(word)}`)).toEqual([
        'maintenance',
        word,
      ]);
    },
  );
});
