import { Command } from 'commander';
import { parsePositiveInt } from '../arguments';
import type { Context } from '../context';

/** Options every command has (added to each leaf command by the program). */
export interface CommonOptions {
  json?: boolean;
}

/**
 * Binds an action to the context: commander calls it with the positional arguments, then the
 * options, then the command; errors go up to main, which prints them and picks the exit code.
 * The action may return an exit code (board commands return ssh's).
 */
export function act<A extends unknown[]>(
  ctx: Context,
  run: (...args: A) => Promise<number | void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const code = await run(...(args as A));
    if (typeof code === 'number') ctx.exitCode = code;
  };
}

/** A subcommand with the given name; a helper so each group file reads alike. */
export function command(parent: Command, nameAndArgs: string, description: string): Command {
  return parent.command(nameAndArgs).description(description);
}

/** `--limit N` of the list commands (default 50). */
export function limitOption(cmd: Command): Command {
  return cmd.option('--limit <n>', 'at most this many', parsePositiveInt, 50);
}
