import { EntityManager, In } from 'typeorm';
import { UserEntity } from './user.entity';

const USER_KEY = /^user:(\d+)$/;

/**
 * The user names API v2 shows for requests' `owner` keys (`user:<id>`, see ownerKeyOf):
 * `anonymous` for anonymous API v1 callers (and requests filed before identities existed);
 * a user deleted since keeps its key, so nothing is shown as someone else's.
 */
export async function ownerNames(
  em: EntityManager,
  keys: ReadonlyArray<string | null>,
): Promise<Map<string | null, string>> {
  const ids = [...new Set(keys.flatMap((key) => USER_KEY.exec(key ?? '')?.[1] ?? []))].map(Number);
  const users = ids.length
    ? await em.find(UserEntity, { where: { id: In(ids) }, select: { id: true, name: true } })
    : [];
  const nameOf = new Map(users.map((user) => [`user:${user.id}`, user.name]));
  return new Map(keys.map((key) => [key, key === null ? 'anonymous' : (nameOf.get(key) ?? key)]));
}
