import { Command } from 'commander';
import { parseId, parseTimeArg } from '../arguments';
import type { TokenInfo, UserInfo } from '../api-types';
import type { Context } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { emit } from '../output';
import { listAll } from '../pages';
import { tokensTable } from '../views';
import { act, command, CommonOptions } from './define';
import { userId } from './users';

/** tokens create|list|revoke: user and agent tokens, for admins. */
export function registerTokenCommands(program: Command, ctx: Context): void {
  const tokens = command(program, 'tokens', 'manage tokens (admins)');

  command(tokens, 'create', 'issue a token (its secret is shown this once)')
    .option('--user <user>', 'a user token for this user (name or id)')
    .option('--agent', 'an agent token (for one board)')
    .option(
      '--worker <uuid>',
      'with --agent: bind it to this worker now (else: the first board that registers)',
    )
    .requiredOption('--label <label>', 'what it is for, e.g. laptop or gitlab-ci')
    .option('--expires <when>', 'expiry: a duration from now (30d) or a time', (v) =>
      parseTimeArg(v),
    )
    .action(
      act(
        ctx,
        async (
          options: CommonOptions & {
            user?: string;
            agent?: boolean;
            worker?: string;
            label: string;
            expires?: string;
          },
        ) => {
          if (Boolean(options.user) === Boolean(options.agent)) {
            throw new CliError(
              'tokens create needs --user NAME or --agent (one of them)',
              ExitCode.Usage,
            );
          }
          const client = ctx.client();
          const body = {
            label: options.label,
            ...(options.expires ? { expiresAt: options.expires } : {}),
          };
          const token = options.user
            ? await client.post<TokenInfo>(
                `/api/v2/users/${await userId(client, options.user)}/tokens`,
                body,
              )
            : await client.post<TokenInfo>('/api/v2/agent-tokens', {
                ...body,
                ...(options.worker ? { workerUuid: options.worker } : {}),
              });
          emit(
            ctx.io,
            Boolean(options.json),
            token,
            () =>
              `token ${token.id} (${token.kind}, ${token.label}), shown this once:\n${token.secret}`,
          );
        },
      ),
    );

  command(tokens, 'list', "every token, or one user's (never the secrets)")
    .option('--user <user>', "only this user's tokens (name or id)")
    .action(
      act(ctx, async (options: CommonOptions & { user?: string }) => {
        const client = ctx.client();
        const list = options.user
          ? await listAll<TokenInfo>(
              client,
              `/api/v2/users/${await userId(client, options.user)}/tokens`,
            )
          : await listAll<TokenInfo>(client, '/api/v2/tokens');
        const users = options.json
          ? []
          : await listAll<UserInfo>(client, '/api/v2/users').catch(() => []);
        emit(ctx.io, Boolean(options.json), list, () =>
          tokensTable(list, new Map(users.map((u) => [u.id, u.name]))),
        );
      }),
    );

  command(tokens, 'revoke <id>', 'revoke a token (takes effect at its next use)').action(
    act(ctx, async (idText: string, options: CommonOptions) => {
      const id = parseId('token')(idText);
      const token = await ctx.client().post<TokenInfo>(`/api/v2/tokens/${id}/revoke`);
      emit(ctx.io, Boolean(options.json), token, () => `token ${id} (${token.label}) revoked`);
    }),
  );
}
