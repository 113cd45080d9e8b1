/** One line of the server's JSON log (src/logging), with its fields. */
export interface LogLine {
  level: string;
  context?: string;
  msg: string;
  [field: string]: unknown;
}

/** The JSON lines of a server's output (other lines, e.g. a refusal on stderr, are left out). */
export function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

const NEST_LEVEL: Record<string, string> = { info: 'LOG', trace: 'VERBOSE' };

/**
 * The output with every JSON line written as Nest's console logger wrote it before
 * (`WARN [Config] message`), other lines as they are: what suites that look for a line by its
 * text match against.
 */
export function readableLog(output: string): string {
  return output
    .split('\n')
    .map((line) => {
      if (!line.startsWith('{')) return line;
      const { level, context, msg } = JSON.parse(line) as LogLine;
      const shown = NEST_LEVEL[level] ?? level.toUpperCase();
      return context ? `${shown} [${context}] ${msg}` : `${shown} ${msg}`;
    })
    .join('\n');
}
