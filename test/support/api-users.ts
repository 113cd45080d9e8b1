import { DataSource } from 'typeorm';
import type { Actor } from '../../src/auth/actor';
import { systemActor } from '../../src/auth/actor';
import { TokensService } from '../../src/auth/tokens.service';
import { UsersService } from '../../src/auth/users.service';
import { AuditEventEntity } from '../../src/events/audit-event.entity';
import type { TestApp } from './test-app';
import { actorFor } from './token-actor';

/** A user with a token: the actor for service calls, the secret for HTTP calls. */
export interface ApiUser {
  actor: Actor;
  secret: string;
}

/** Creates a user of `role` in `t` and issues them a token. */
export async function apiUser(
  t: Pick<TestApp, 'app'>,
  name: string,
  role: 'tester' | 'admin',
): Promise<ApiUser> {
  const system = systemActor('test-suite');
  const user = await t.app.get(UsersService).create(system, { name, role });
  const tokens = t.app.get(TokensService);
  const { secret } = await tokens.issueUserToken(system, user.id, { label: name });
  return { actor: await actorFor(tokens, secret), secret };
}

/** Every audit id after `after`, oldest first: what an admin's event stream must show. */
export async function auditIdsAfter(t: TestApp, after: number): Promise<number[]> {
  const rows = await t.app
    .get(DataSource)
    .createQueryBuilder(AuditEventEntity, 'a')
    .select('a.id', 'id')
    .where('a.id > :after', { after })
    .orderBy('a.id', 'ASC')
    .getRawMany<{ id: string | number }>();
  return rows.map((r) => Number(r.id));
}
