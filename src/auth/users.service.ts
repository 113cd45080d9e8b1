import { Injectable } from '@nestjs/common';
import { normalizeGroups } from '../common/caps';
import { InvalidInputError } from '../common/domain-error';
import { HIGHEST_PRIORITY, LOWEST_PRIORITY } from '../common/priority';
import { Transactions } from '../database/transactions.service';
import { UnitOfWork } from '../database/unit-of-work';
import { UserView, viewOfUser } from '../events/domain-event';
import { assertAdmin } from './access-policy';
import { Actor, UserRole } from './actor';
import {
  AdminExistsError,
  LastAdminError,
  UserNameTakenError,
  UserNotFoundError,
} from './auth.errors';
import { TokenEntity } from './token.entity';
import { IssuedToken, TokensService } from './tokens.service';
import { UserEntity } from './user.entity';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ROLES: readonly UserRole[] = ['tester', 'admin'];

export interface CreateUserInput {
  name: string;
  role: UserRole;
  groups?: readonly string[];
  /** Default: 1 for admins, 8 (the middle) for testers. */
  bestPriority?: number;
}

/** Missing fields stay as they are. Names never change. */
export interface UpdateUserInput {
  role?: UserRole;
  groups?: readonly string[];
  bestPriority?: number;
}

function assertRole(role: string): asserts role is UserRole {
  if (!ROLES.includes(role as UserRole))
    throw new InvalidInputError(`role must be tester or admin, got ${JSON.stringify(role)}`);
}

function assertBestPriority(priority: number): void {
  if (!Number.isInteger(priority) || priority < HIGHEST_PRIORITY || priority > LOWEST_PRIORITY)
    throw new InvalidInputError(
      `bestPriority must be a whole number from ${HIGHEST_PRIORITY} (highest) to ${LOWEST_PRIORITY}, got ${priority}`,
    );
}

/** Users: testers and admins, managed by admins. */
@Injectable()
export class UsersService {
  constructor(
    private readonly tx: Transactions,
    private readonly tokens: TokensService,
  ) {}

  async create(actor: Actor, input: CreateUserInput): Promise<UserView> {
    assertAdmin(actor, 'create users');
    return this.tx.run(actor.label, (uow) => this.insert(uow, input));
  }

  async list(actor: Actor): Promise<UserView[]> {
    assertAdmin(actor, 'list users');
    return (await this.tx.read((em) => em.find(UserEntity, { order: { id: 'ASC' } }))).map(
      viewOfUser,
    );
  }

  async get(actor: Actor, id: number): Promise<UserView> {
    assertAdmin(actor, 'read users');
    const user = await this.tx.read((em) => em.findOne(UserEntity, { where: { id } }));
    if (!user) throw new UserNotFoundError(id);
    return viewOfUser(user);
  }

  /** Role, groups, best priority. The only admin cannot be made a tester. */
  async update(actor: Actor, id: number, input: UpdateUserInput): Promise<UserView> {
    assertAdmin(actor, 'update users');
    if (input.role !== undefined) assertRole(input.role);
    if (input.bestPriority !== undefined) assertBestPriority(input.bestPriority);
    const groups = input.groups === undefined ? undefined : normalizeGroups(input.groups);
    return this.tx.run(actor.label, async (uow) => {
      const user = await this.find(uow, id);
      if (user.role === 'admin' && input.role === 'tester')
        await this.assertNotLastAdmin(uow, user);
      const before = { role: user.role, groups: user.groups, bestPriority: user.bestPriority };
      const changes = {
        role: input.role ?? user.role,
        groups: groups ?? user.groups,
        bestPriority: input.bestPriority ?? user.bestPriority,
        updatedAt: uow.now,
      };
      await uow.em.update(UserEntity, { id }, changes);
      Object.assign(user, changes);
      uow.emit({
        type: 'user.updated',
        user: viewOfUser(user),
        at: uow.now,
        actor: actor.label,
        reason: null,
        before,
        after: { role: user.role, groups: user.groups, bestPriority: user.bestPriority },
      });
      return viewOfUser(user);
    });
  }

  /** Deletes the user and their tokens; their requests stay, as history. */
  async delete(actor: Actor, id: number): Promise<void> {
    assertAdmin(actor, 'delete users');
    await this.tx.run(actor.label, async (uow) => {
      const user = await this.find(uow, id);
      if (user.role === 'admin') await this.assertNotLastAdmin(uow, user);
      await uow.em.delete(TokenEntity, { userId: id });
      await uow.em.delete(UserEntity, { id });
      uow.emit({
        type: 'user.deleted',
        user: viewOfUser(user),
        at: uow.now,
        actor: actor.label,
        reason: null,
        before: { name: user.name, role: user.role },
        after: null,
      });
    });
  }

  /**
   * The first admin of a fresh server and a token for them, in one transaction; refused once
   * any admin exists.
   */
  async bootstrapAdmin(actor: Actor, name: string): Promise<{ user: UserView } & IssuedToken> {
    assertAdmin(actor, 'bootstrap the first admin');
    return this.tx.run(actor.label, async (uow) => {
      const admins = await uow.em.find(UserEntity, { where: { role: 'admin' } });
      if (admins.length > 0) throw new AdminExistsError(admins.map((a) => a.name));
      const user = await this.insert(uow, { name, role: 'admin' });
      const issued = await this.tokens.issueInside(uow, user.id, { label: 'bootstrap' });
      return { user, ...issued };
    });
  }

  /**
   * LESHY_ADMIN_TOKEN: makes sure an admin holds this token. Creates the admin `name` (or uses
   * it, if it is an admin) and the token when the token is not known yet; a token an admin
   * revoked stays revoked. Returns what it did, for the log (never the token).
   */
  async ensureAdminToken(actor: Actor, name: string, secret: string): Promise<string> {
    return this.tx.run(actor.label, async (uow) => {
      const known = await this.tokens.findBySecret(uow, secret);
      if (known) {
        if (known.revokedAt) return 'LESHY_ADMIN_TOKEN was revoked by an admin: it stays revoked';
        const holder =
          known.userId === null
            ? null
            : await uow.em.findOne(UserEntity, { where: { id: known.userId } });
        if (holder?.role !== 'admin')
          throw new InvalidInputError(
            'LESHY_ADMIN_TOKEN is the token of a user who is not an admin: choose another value',
          );
        return `LESHY_ADMIN_TOKEN is a token of admin ${holder.name}`;
      }
      let user = await uow.em.findOne(UserEntity, { where: { name } });
      if (user && user.role !== 'admin')
        throw new InvalidInputError(
          `LESHY_ADMIN_TOKEN: user ${name} exists and is not an admin: make them admin or delete them first`,
        );
      const created = !user;
      user ??= (await this.insert(uow, { name, role: 'admin' })) as UserEntity;
      await this.tokens.issueWithSecret(uow, user.id, secret, 'LESHY_ADMIN_TOKEN');
      return `LESHY_ADMIN_TOKEN is now a token of ${created ? 'the new ' : ''}admin ${name}`;
    });
  }

  private async insert(uow: UnitOfWork, input: CreateUserInput): Promise<UserView> {
    const name = typeof input.name === 'string' ? input.name : '';
    if (!NAME.test(name))
      throw new InvalidInputError(
        `user name ${JSON.stringify(input.name)} must be 1 to 64 characters: lowercase letters, digits, ".", "_" or "-", starting with a letter or digit`,
      );
    assertRole(input.role);
    const bestPriority = input.bestPriority ?? (input.role === 'admin' ? HIGHEST_PRIORITY : 8);
    assertBestPriority(bestPriority);
    if (await uow.em.findOne(UserEntity, { where: { name } })) throw new UserNameTakenError(name);
    const user = uow.em.create(UserEntity, {
      name,
      role: input.role,
      groups: normalizeGroups(input.groups),
      bestPriority,
      createdAt: uow.now,
      updatedAt: uow.now,
    });
    const inserted = await uow.em.insert(UserEntity, user);
    user.id = Number(inserted.identifiers[0].id);
    uow.emit({
      type: 'user.created',
      user: viewOfUser(user),
      at: uow.now,
      actor: uow.actor,
      reason: null,
      before: null,
      after: { name, role: user.role, groups: user.groups, bestPriority },
    });
    return viewOfUser(user);
  }

  private async find(uow: UnitOfWork, id: number): Promise<UserEntity> {
    const user = await uow.em.findOne(UserEntity, { where: { id } });
    if (!user) throw new UserNotFoundError(id);
    return user;
  }

  private async assertNotLastAdmin(uow: UnitOfWork, user: UserEntity): Promise<void> {
    const admins = await uow.em.count(UserEntity, { where: { role: 'admin' } });
    if (admins <= 1) throw new LastAdminError(user.name);
  }
}
