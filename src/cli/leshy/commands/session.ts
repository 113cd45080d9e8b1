import { Command } from 'commander';
import { ApiClient } from '../api-client';
import { normalizeServerUrl, readSavedConfig, writeSavedConfig } from '../config';
import type { Context } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { emit, fields } from '../output';
import { act, command, CommonOptions } from './define';

interface Whoami {
  kind: string;
  name: string;
  role: string;
  userId: number | null;
  workerUuid: string | null;
  groups: string[];
  bestPriority: number;
}

/** login, logout, whoami: where the server is and who we are to it. */
export function registerSessionCommands(program: Command, ctx: Context): void {
  command(program, 'login', 'save the server URL and your token (checked with the server first)')
    .option('--server <url>', 'the Leshy server, e.g. http://leshy.lab:8487')
    .option('--token <token>', 'your token (lsy_…); "-" reads it from stdin')
    .option('--no-check', 'save without asking the server whether the token is good')
    .addHelpText(
      'after',
      '\nWrites $XDG_CONFIG_HOME/leshy/config.json (default ~/.config/leshy/config.json), mode 0600.\nLESHY_SERVER and LESHY_TOKEN override what it holds.',
    )
    .action(
      act(
        ctx,
        async (options: CommonOptions & { server?: string; token?: string; check: boolean }) => {
          const file = ctx.settings().configFile;
          const saved = readSavedConfig(file);
          const server = options.server ? normalizeServerUrl(options.server) : saved.server;
          const token = options.token === '-' ? await readStdin() : (options.token ?? saved.token);
          if (!server)
            throw new CliError(
              'login needs --server URL',
              ExitCode.Usage,
              'e.g. leshy login --server http://leshy.lab:8487 --token lsy_…',
            );
          if (!token)
            throw new CliError(
              'login needs --token TOKEN',
              ExitCode.Usage,
              'an admin creates your token: leshy tokens create --user NAME',
            );
          const who = options.check
            ? await new ApiClient(server, token).get<Whoami>('/api/v2/whoami')
            : null;
          writeSavedConfig(file, { server, token });
          emit(ctx.io, Boolean(options.json), { server, configFile: file, whoami: who }, () =>
            who
              ? `logged in to ${server} as ${who.name} (${who.role}); saved in ${file}`
              : `saved ${server} in ${file}`,
          );
        },
      ),
    );

  command(program, 'logout', 'forget the saved token (the server URL stays)').action(
    act(ctx, async (options: CommonOptions) => {
      const file = ctx.settings().configFile;
      const saved = readSavedConfig(file);
      writeSavedConfig(file, { server: saved.server });
      emit(
        ctx.io,
        Boolean(options.json),
        { configFile: file },
        () => `removed the token from ${file}`,
      );
    }),
  );

  command(program, 'whoami', 'who the server takes your token for').action(
    act(ctx, async (options: CommonOptions) => {
      const client = ctx.client();
      const who = await client.get<Whoami>('/api/v2/whoami');
      const s = ctx.settings();
      emit(ctx.io, Boolean(options.json), { ...who, server: client.server }, () =>
        fields([
          ['name', who.name],
          ['role', who.role],
          ['groups', who.groups?.length ? who.groups.join(',') : 'none'],
          ['best priority', who.bestPriority],
          ['worker', who.workerUuid],
          [
            'server',
            `${client.server}${s.serverFrom === 'LESHY_SERVER' ? ' (from LESHY_SERVER)' : ''}`,
          ],
          ['token', s.tokenFrom === 'LESHY_TOKEN' ? 'from LESHY_TOKEN' : `from ${s.configFile}`],
        ]),
      );
    }),
  );
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.trim();
}
