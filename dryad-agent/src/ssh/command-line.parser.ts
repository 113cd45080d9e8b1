/**
 * Splits an exec request's command string into words. There is no shell behind it, but
 * people type `ssh board maintenance "PSU broken"` and servers may quote too, so single and
 * double quotes group words and backslash escapes one character, as in sh.
 */
export function splitCommandLine(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * One word as the server writes it into a control command line (e.g. an admin's maintenance
 * message): splitCommandLine gives it back unchanged, whatever spaces or quotes it holds.
 */
export function quoteCommandWord(word: string): string {
  return `"${word.replace(/["\\]/g, '\\$&')}"`;
}
