import { ApiClient } from './api-client';
import { loadSettings, Settings } from './config';
import { CliError, ExitCode } from './exit-codes';
import { Io, processIo } from './output';

/** What every command gets: where to write, the environment, and the API client. */
export interface Context {
  io: Io;
  env: Record<string, string | undefined>;
  /** Is a person at the terminal (prompts, spinners)? */
  interactive: boolean;
  /** The exit code a command chose without failing (board commands: ssh's status). */
  exitCode: number;
  settings(): Settings;
  /** The API client for the configured server and token; a one-line error when either is missing. */
  client(options?: { tokenOptional?: boolean }): ApiClient;
}

/** `env` is the CLI's configuration source (LESHY_SERVER, LESHY_TOKEN, XDG_CONFIG_HOME, HOME). */
export function createContext(
  env: Record<string, string | undefined>,
  io: Io = processIo,
): Context {
  let settings: Settings | null = null;
  const load = () => (settings ??= loadSettings(env));
  return {
    io,
    env,
    interactive: Boolean(process.stdin.isTTY && io.stderr.isTTY),
    exitCode: 0,
    settings: load,
    client(options = {}) {
      const s = load();
      if (!s.server) {
        throw new CliError(
          'no Leshy server configured',
          ExitCode.Usage,
          'run "leshy login --server URL --token TOKEN" (or set LESHY_SERVER and LESHY_TOKEN)',
        );
      }
      if (!s.token && !options.tokenOptional) {
        throw new CliError(
          'no token configured',
          ExitCode.Unauthenticated,
          'ask an admin for a token, then run "leshy login --token TOKEN" (or set LESHY_TOKEN)',
        );
      }
      return new ApiClient(s.server, s.token);
    },
  };
}
