import pino, { Logger as Pino } from 'pino';
import pretty from 'pino-pretty';
import type { LogConfig } from '../config/app-config';

export interface LogOutput {
  /** stdout is a terminal. */
  isTerminal: boolean;
  /** ANSI colours are wanted (src/config/log-colors.ts decides). */
  colors: boolean;
}

/** Whether lines are pretty (for a person) or JSON (for a file, a pipe or journald). */
export function prettyLogs(config: LogConfig, output: LogOutput): boolean {
  return config.format === 'pretty' || (config.format === 'auto' && output.isTerminal);
}

/**
 * The server's pino logger, on stdout. Synchronous writes: a line logged just before the
 * process exits (a fatal start-up error) is not lost, and lines keep their order with what
 * the process prints to stderr.
 */
export function createPino(config: LogConfig, output: LogOutput): Pino {
  const options: pino.LoggerOptions = {
    level: config.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (prettyLogs(config, output))
    return pino(
      options,
      pretty({
        colorize: output.colors,
        sync: true,
        singleLine: true,
        translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
        ignore: 'pid,hostname,context',
        messageFormat: '{if context}[{context}] {end}{msg}',
      }),
    );
  return pino(
    // Level names, not numbers: `"level":"warn"` reads and greps better than 40.
    { ...options, formatters: { level: (label) => ({ level: label }) } },
    pino.destination({ dest: 1, sync: true }),
  );
}
