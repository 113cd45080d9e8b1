import { Command, InvalidArgumentError } from 'commander';
import { parseList, parsePriority } from '../arguments';
import type { ApiClient } from '../api-client';
import type { UserInfo } from '../api-types';
import type { Context } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { emit, fields } from '../output';
import { listAll } from '../pages';
import { usersTable } from '../views';
import { act, command, CommonOptions } from './define';

interface UserOptions extends CommonOptions {
  role?: string;
  groups?: string[];
  bestPriority?: number;
}

const parseRole = (v: string) => {
  if (v !== 'tester' && v !== 'admin') throw new InvalidArgumentError('must be tester or admin');
  return v;
};

/** users add|list|show|set|remove: the lab's people, for admins. */
export function registerUserCommands(program: Command, ctx: Context): void {
  const users = command(program, 'users', 'manage users (admins)');

  command(users, 'add <name>', 'create a user (then: leshy tokens create --user NAME)')
    .option('--role <role>', 'tester or admin', parseRole, 'tester')
    .option('--groups <groups>', 'comma-separated groups, e.g. kernel-team,lab-a', parseList)
    .option('--best-priority <n>', 'the best (lowest number) priority they may use', parsePriority)
    .action(
      act(ctx, async (name: string, options: UserOptions) => {
        const user = await ctx.client().post<UserInfo>('/api/v2/users', {
          name,
          role: options.role,
          ...(options.groups ? { groups: options.groups } : {}),
          ...(options.bestPriority !== undefined ? { bestPriority: options.bestPriority } : {}),
        });
        emit(
          ctx.io,
          Boolean(options.json),
          user,
          () => `created ${user.role} ${user.name} (id ${user.id})`,
        );
      }),
    );

  command(users, 'list', 'every user').action(
    act(ctx, async (options: CommonOptions) => {
      const list = await listAll<UserInfo>(ctx.client(), '/api/v2/users');
      emit(ctx.io, Boolean(options.json), list, () => usersTable(list));
    }),
  );

  command(users, 'show <user>', 'one user (name or id)').action(
    act(ctx, async (who: string, options: CommonOptions) => {
      const client = ctx.client();
      const user = await client.get<UserInfo>(`/api/v2/users/${await userId(client, who)}`);
      emit(ctx.io, Boolean(options.json), user, () =>
        fields([
          ['user', `${user.name} (id ${user.id})`],
          ['role', user.role],
          ['groups', user.groups.join(',') || 'none'],
          ['best priority', user.bestPriority],
          ['created', user.createdAt],
        ]),
      );
    }),
  );

  command(users, 'set <user>', "change a user's role, groups or best priority")
    .option('--role <role>', 'tester or admin', parseRole)
    .option('--groups <groups>', 'comma-separated groups ("" for none)', parseList)
    .option('--best-priority <n>', 'the best priority they may use', parsePriority)
    .action(
      act(ctx, async (who: string, options: UserOptions) => {
        const client = ctx.client();
        const body = {
          ...(options.role ? { role: options.role } : {}),
          ...(options.groups ? { groups: options.groups } : {}),
          ...(options.bestPriority !== undefined ? { bestPriority: options.bestPriority } : {}),
        };
        if (!Object.keys(body).length)
          throw new CliError(
            'users set: nothing to change',
            ExitCode.Usage,
            'give --role, --groups or --best-priority',
          );
        const user = await client.patch<UserInfo>(
          `/api/v2/users/${await userId(client, who)}`,
          body,
        );
        emit(
          ctx.io,
          Boolean(options.json),
          user,
          () =>
            `updated ${user.name}: ${user.role}, groups ${user.groups.join(',') || 'none'}, best priority ${user.bestPriority}`,
        );
      }),
    );

  command(users, 'remove <user>', 'delete a user and their tokens (their requests stay)').action(
    act(ctx, async (who: string, options: CommonOptions) => {
      const client = ctx.client();
      const id = await userId(client, who);
      await client.delete(`/api/v2/users/${id}`);
      emit(ctx.io, Boolean(options.json), { id, removed: true }, () => `removed user ${who}`);
    }),
  );
}

/** A user's id from their name (or the id itself). */
export async function userId(client: ApiClient, who: string): Promise<number> {
  if (/^\d+$/.test(who)) return Number(who);
  const user = (await listAll<UserInfo>(client, '/api/v2/users')).find((u) => u.name === who);
  if (!user)
    throw new CliError(`no user named "${who}"`, ExitCode.NotFound, 'leshy users list shows them');
  return user.id;
}
