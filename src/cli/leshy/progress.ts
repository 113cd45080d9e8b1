import type { Io } from './output';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A status line on stderr: on a terminal one line redrawn in place with a spinner; otherwise
 * plain lines, each only when the text changed (logs stay readable).
 */
export class ProgressLine {
  private text = '';
  private frame = 0;
  private timer: NodeJS.Timeout | null = null;
  private drawn = false;

  constructor(
    private readonly io: Io,
    private readonly tty = Boolean(io.stderr.isTTY),
  ) {}

  update(text: string): void {
    if (text === this.text) return;
    this.text = text;
    if (!this.tty) {
      this.io.stderr.write(text + '\n');
      return;
    }
    this.timer ??= setInterval(() => this.draw(), 100);
    this.draw();
  }

  /** A line of its own above the status line (a warning, an event). */
  note(line: string): void {
    this.clear();
    this.io.stderr.write(line + '\n');
    if (this.tty && this.text) this.draw();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clear();
  }

  private draw(): void {
    const columns = (this.io.stderr as { columns?: number }).columns ?? 100;
    const line = `${FRAMES[this.frame++ % FRAMES.length]} ${this.text}`.slice(0, columns - 1);
    this.io.stderr.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.tty && this.drawn) this.io.stderr.write('\r\x1b[2K');
    this.drawn = false;
  }
}
