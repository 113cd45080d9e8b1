/**
 * The OLED is 128×32 px and the firmware's font 8×16: 16 characters fit a row (also the most
 * `text` may carry), and two rows fit the screen. `text` counts Y in 8-px pages, so a row
 * covers pages Y and Y+1: the two rows that do not overlap start at Y = 0 and Y = 2.
 */
export const DISPLAY_COLUMNS = 16;
export const DISPLAY_ROW_Y = [0, 2] as const;
export const DISPLAY_ROWS = DISPLAY_ROW_Y.length;
/** `text X Y on` takes 4 of the firmware's 10 tokens, leaving 6 words per row. */
export const WORDS_PER_ROW = 6;

/**
 * Wraps a message into at most two rows of at most 16 characters and 6 words, the limits
 * of the OLED and of the firmware's tokenizer. Non-ASCII characters become `?` (the font has
 * none); what does not fit ends in `..`.
 */
export function layoutDisplayRows(message: string): string[] {
  const clean = message.replace(/[^\x21-\x7e\s]/g, '?').trim() || 'maintenance';
  const words = clean
    .split(/\s+/)
    .flatMap((w) =>
      w.length <= DISPLAY_COLUMNS
        ? [w]
        : (w.match(new RegExp(`.{1,${DISPLAY_COLUMNS}}`, 'g')) ?? []),
    );
  const rows: string[][] = [];
  let overflow = false;
  for (const word of words) {
    const row = rows[rows.length - 1];
    if (row && row.length < WORDS_PER_ROW && [...row, word].join(' ').length <= DISPLAY_COLUMNS) {
      row.push(word);
    } else if (rows.length < DISPLAY_ROWS) {
      rows.push([word]);
    } else {
      overflow = true;
      break;
    }
  }
  if (overflow) {
    // Drop whole words from the last row until the ".." marker fits.
    const last = rows[rows.length - 1];
    while (last.length > 1 && last.join(' ').length > DISPLAY_COLUMNS - 2) last.pop();
  }
  const lines = rows.map((r) => r.join(' '));
  if (overflow)
    lines[lines.length - 1] = lines[lines.length - 1].slice(0, DISPLAY_COLUMNS - 2) + '..';
  return lines;
}
