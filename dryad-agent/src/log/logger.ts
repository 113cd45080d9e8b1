/**
 * A tiny structured logger. The agent runs under systemd on a small ARM board, so lines go to
 * stderr (the journal adds timestamps there, but we keep ours for `fleet` runs in a terminal).
 * Every line carries the board UUID so a lab admin can grep one board out of a fleet's output.
 * Never pass keys or tokens to it.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogSink = (line: string) => void;

const stderrSink: LogSink = (line) => process.stderr.write(line + '\n');

export class Logger {
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly context: { uuid?: string; component?: string } = {},
    private readonly sink: LogSink = stderrSink,
  ) {}

  static silent(): Logger {
    return new Logger('silent');
  }

  /** Same sink and level, with the board UUID attached to every line. */
  forBoard(uuid: string): Logger {
    return new Logger(this.level, { ...this.context, uuid }, this.sink);
  }

  child(component: string): Logger {
    return new Logger(this.level, { ...this.context, component }, this.sink);
  }

  debug(message: string): void {
    this.write('debug', message);
  }
  info(message: string): void {
    this.write('info', message);
  }
  warn(message: string): void {
    this.write('warn', message);
  }
  error(message: string): void {
    this.write('error', message);
  }

  private write(level: LogLevel, message: string): void {
    if (RANK[level] < RANK[this.level]) return;
    const parts = [new Date().toISOString(), level.toUpperCase().padEnd(5)];
    if (this.context.uuid) parts.push(`[${this.context.uuid}]`);
    if (this.context.component) parts.push(`${this.context.component}:`);
    parts.push(message);
    this.sink(parts.join(' '));
  }
}
