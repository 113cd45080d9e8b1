import { EntityManager, In } from 'typeorm';
import { Actor, ownerKeyOf } from './actor';
import { UserEntity } from './user.entity';

/**
 * A request's `owner` column holds `user:<id>` (see ownerKeyOf; names are the API's): the user
 * names of the owners of a page of requests, by owner key, in one query. A user deleted since
 * keeps its key (nameOf shows the key), so nothing is shown as someone else's. The name of the
 * user `asking` is their actor's (a user who authenticated exists): a tester reading their own
 * requests, the usual case, costs no query.
 */
export async function ownerNames(
  em: EntityManager,
  owners: Array<string | null>,
  asking?: Actor,
): Promise<Map<string, string>> {
  const names = ownNames(asking);
  const ids = [
    ...new Set(
      owners
        .filter((o): o is string => !!o?.startsWith('user:') && !names.has(o))
        .map((o) => o.slice(5)),
    ),
  ].map(Number);
  if (ids.length === 0) return names;
  const users = await em.find(UserEntity, { where: { id: In(ids) }, select: ['id', 'name'] });
  for (const u of users) names.set(`user:${u.id}`, u.name);
  return names;
}

/** The name of the user `asking` by their owner key (none for other actors), known without a query. */
export function ownNames(asking?: Actor): Map<string, string> {
  const names = new Map<string, string>();
  if (asking?.kind === 'user') names.set(ownerKeyOf(asking), asking.label.slice('user:'.length));
  return names;
}

/** The name of an owner key (the key itself for a deleted user; null owner: anonymous). */
export function nameOf(names: Map<string, string>, owner: string | null): string {
  const key = owner ?? 'anonymous';
  return names.get(key) ?? key;
}

/** The owner key a list filter names: `me`, `anonymous` or a user name; null: no such user. */
export async function ownerKeyNamed(
  em: EntityManager,
  name: string,
  actor: Actor,
): Promise<string | null> {
  if (name === 'me') return ownerKeyOf(actor);
  if (name === 'anonymous') return 'anonymous';
  const user = await em.findOne(UserEntity, { where: { name }, select: ['id'] });
  return user ? `user:${user.id}` : null;
}
