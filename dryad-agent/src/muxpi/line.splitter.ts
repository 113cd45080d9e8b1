/**
 * Cuts a serial byte stream into lines the way the MuxPi firmware does: CR or LF ends a line,
 * so CRLF and the echo's LFCR both yield one line and no empty ones. Bytes are decoded as
 * latin1 so that line noise never throws and every byte maps to one character.
 */
export class LineSplitter {
  private partial = '';

  /** @param maxLineLength a line that grows past this without a terminator is noise: drop it. */
  constructor(private readonly maxLineLength = 4096) {}

  feed(chunk: Buffer | string): string[] {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) continue;
      const line = this.partial + text.slice(start, i);
      this.partial = '';
      start = i + 1;
      if (line.length > 0) lines.push(line);
    }
    this.partial += text.slice(start);
    if (this.partial.length > this.maxLineLength) this.partial = '';
    return lines;
  }

  /** Forget a half-received line (after a resync nothing before it is trusted). */
  reset(): void {
    this.partial = '';
  }
}
