import { LoggerService } from '@nestjs/common';
import type { Logger as Pino } from 'pino';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const isFields = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !(value instanceof Error) && !Array.isArray(value);

/**
 * Nest's LoggerService over pino (nestjs-pino is not used: its releases for Nest 12 need
 * Node 22). Nest calls `log(message, ...params, context)`: the context (the class that logs)
 * becomes the `context` field, an object among the params is merged as fields (LogFields),
 * a string before the context is a stack (Logger.error(message, stack)).
 */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: Pino) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') fields.context = rest.pop();
    for (const param of rest) {
      if (isFields(param)) Object.assign(fields, param);
      else if (param instanceof Error) fields.err = param;
      else if (typeof param === 'string') fields.stack = param;
    }
    let text: string;
    if (message instanceof Error) {
      fields.err = message;
      text = message.message;
    } else if (isFields(message)) {
      const { msg, ...more } = message;
      Object.assign(fields, more);
      text = typeof msg === 'string' ? msg : '';
    } else text = String(message);
    this.pino[level](fields, text);
  }
}
