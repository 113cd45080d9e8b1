import { CommanderError } from 'commander';
import { ApiError } from './api-client';
import { createContext, Context } from './context';
import { CliError, ExitCode } from './exit-codes';
import { installInterruptHandling } from './interrupts';
import { buildProgram } from './program';

/**
 * Runs `leshy ARGS` and resolves with the exit code: errors are printed as one line (and a
 * hint), and with --json also as `{"error":…}` on stdout, so scripts parse one thing.
 */
export async function runLeshy(
  argv: string[],
  // The CLI's own configuration (not the server's, which src/config reads).
  // eslint-disable-next-line no-restricted-properties
  ctx: Context = createContext(process.env),
): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    return report(ctx, error, argv.includes('--json'));
  }
}

/** Prints an error the way every command does and returns its exit code. */
export function report(ctx: Context, error: unknown, json: boolean): number {
  if (error instanceof CommanderError) {
    if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code))
      return ExitCode.Ok;
    // commander printed its own message already, unless it came from an action's argument check
    if (error.code === 'commander.invalidArgument' && !/^error:/.test(error.message)) {
      ctx.io.stderr.write(`leshy: ${error.message}\n`);
    }
    if (json)
      ctx.io.stdout.write(
        JSON.stringify({ error: { message: error.message, exitCode: ExitCode.Usage } }) + '\n',
      );
    return ExitCode.Usage;
  }
  if (error instanceof CliError) {
    ctx.io.stderr.write(`leshy: ${error.message}\n${error.hint ? `  ${error.hint}\n` : ''}`);
    if (json) {
      const api =
        error instanceof ApiError ? { status: error.status, code: error.problem.code } : {};
      ctx.io.stdout.write(
        JSON.stringify({
          error: { message: error.message, exitCode: error.exitCode, ...api, ...error.details },
        }) + '\n',
      );
    }
    return error.exitCode;
  }
  ctx.io.stderr.write(`leshy: ${(error as Error)?.stack ?? String(error)}\n`);
  return ExitCode.Failed;
}

if (require.main === module) {
  installInterruptHandling();
  void runLeshy(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
