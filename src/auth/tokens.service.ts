import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { IsNull } from 'typeorm';
import { Clock } from '../common/clock';
import { InvalidInputError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { findRow } from '../database/find-row';
import { Transactions } from '../database/transactions.service';
import { UnitOfWork } from '../database/unit-of-work';
import { TokenView, viewOfToken } from '../events/domain-event';
import { assertAdmin } from './access-policy';
import { Actor, agentActor, userActor } from './actor';
import {
  NotAuthenticatedError,
  TokenNotFoundError,
  UnknownTokenError,
  UserNotFoundError,
  WorkerHasAgentTokenError,
} from './auth.errors';
import { TokenEntity, TokenKind } from './token.entity';
import { assertExpiryAhead, whyUnusable } from './token-lifetime';
import { TokenLookupCache } from './token-lookup-cache';
import { hashTokenSecret, newTokenSecret } from './token-secret';
import { UserEntity } from './user.entity';

/** last_used_at is written at most this often per token, so authenticating rarely writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface NewTokenInput {
  label: string;
  expiresAt?: Date | null;
}

/** A token just created: the only moment its secret is known to anyone but its holder. */
export interface IssuedToken {
  token: TokenView;
  secret: string;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Tokens: issuing, authenticating, listing, revoking. Secrets are never stored, logged or listed. */
@Injectable()
export class TokensService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(TokensService.name);
  private readonly lastTouched = new Map<number, number>();
  /** last_used_at writes under way: shutdown waits for them, so none meets a closed database. */
  private readonly touching = new Set<Promise<unknown>>();

  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly lookups: TokenLookupCache,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.touching]);
  }

  /** Who holds `secret`; NotAuthenticatedError (saying why, never echoing it) otherwise. */
  async authenticate(secret: string): Promise<Actor> {
    const enrollment = this.config.agentToken;
    if (enrollment && sameSecret(secret, enrollment)) return agentActor(null, null);
    return this.actorOfToken({ secretHash: hashTokenSecret(secret) });
  }

  /**
   * Who token `id` acts for, with the same checks as a bearer token (revoked, expired, user
   * deleted): a dashboard session acts as the token it was opened with, while it lasts.
   */
  authenticateTokenId(id: number): Promise<Actor> {
    return this.actorOfToken({ id });
  }

  private async actorOfToken(where: { secretHash: string } | { id: number }): Promise<Actor> {
    const found = await this.lookUp(where);
    if (!found) throw new UnknownTokenError();
    const { token, user } = found;
    const now = this.clock.now();
    const unusable = whyUnusable(token, now);
    if (unusable) throw new NotAuthenticatedError(unusable);
    this.touch(token, now);
    if (token.kind === 'agent') return agentActor(token.workerUuid, token.id);
    if (!user) throw new UnknownTokenError();
    return userActor(user, token.id);
  }

  /** The token and its user, from the cache of the last second's lookups or the database. */
  private async lookUp(
    where: { secretHash: string } | { id: number },
  ): Promise<{ token: TokenEntity; user: UserEntity | null } | null> {
    const key = 'id' in where ? `id:${where.id}` : `hash:${where.secretHash}`;
    const cached = this.lookups.get(key);
    if (cached) return cached;
    const generation = this.lookups.begin();
    const found = await this.tx.read(async (em) => {
      const token = await findRow(em, TokenEntity, where);
      if (!token) return null;
      const user =
        token.userId === null ? null : await findRow(em, UserEntity, { id: token.userId });
      return { token, user };
    });
    if (found?.user) this.lookups.set(key, { token: found.token, user: found.user }, generation);
    return found;
  }

  /** The expiry of token `id` (null: none), for a session that must not outlive it. */
  async expiryOf(id: number): Promise<Date | null> {
    const token = await this.tx.read((em) => em.findOne(TokenEntity, { where: { id } }));
    return token?.expiresAt ?? null;
  }

  /** A new token for a user (admins only); the secret is in the answer and nowhere else. */
  async issueUserToken(actor: Actor, userId: number, input: NewTokenInput): Promise<IssuedToken> {
    assertAdmin(actor, 'issue tokens');
    return this.tx.run(actor.label, async (uow) => {
      const user = await uow.em.findOne(UserEntity, { where: { id: userId } });
      if (!user) throw new UserNotFoundError(userId);
      return this.issue(uow, 'user', { userId, workerUuid: null }, input);
    });
  }

  /**
   * A new agent token (admins only): bound to `workerUuid` now, or, if null, to the UUID of the
   * first worker that registers with it.
   */
  async issueAgentToken(
    actor: Actor,
    workerUuid: string | null,
    input: NewTokenInput,
  ): Promise<IssuedToken> {
    assertAdmin(actor, 'issue agent tokens');
    if (workerUuid !== null && !UUID.test(workerUuid))
      throw new InvalidInputError(`workerUuid "${workerUuid}" is not a lowercase UUID`);
    return this.tx.run(actor.label, async (uow) => {
      if (workerUuid !== null) await assertNoLiveAgentToken(uow, workerUuid);
      return this.issue(uow, 'agent', { userId: null, workerUuid }, input);
    });
  }

  /** Issues a fresh user token inside the caller's transaction (bootstrap). */
  issueInside(uow: UnitOfWork, userId: number, input: NewTokenInput): Promise<IssuedToken> {
    return this.issue(uow, 'user', { userId, workerUuid: null }, input);
  }

  /** Issues a token whose secret the caller chose (LESHY_ADMIN_TOKEN), inside `uow`. */
  async issueWithSecret(
    uow: UnitOfWork,
    userId: number,
    secret: string,
    label: string,
  ): Promise<TokenView> {
    return (await this.issue(uow, 'user', { userId, workerUuid: null }, { label }, secret)).token;
  }

  /** Every token (of one user, if given), newest first, without secrets. */
  async list(
    actor: Actor,
    filter: { userId?: number; kind?: TokenKind } = {},
  ): Promise<TokenView[]> {
    assertAdmin(actor, 'list tokens');
    const tokens = await this.tx.read((em) =>
      em.find(TokenEntity, { where: { ...filter }, order: { id: 'DESC' } }),
    );
    return tokens.map(viewOfToken);
  }

  async revoke(actor: Actor, id: number): Promise<TokenView> {
    assertAdmin(actor, 'revoke tokens');
    return this.tx.run(actor.label, async (uow) => {
      const token = await uow.em.findOne(TokenEntity, { where: { id } });
      if (!token) throw new TokenNotFoundError(id);
      if (token.revokedAt) return viewOfToken(token);
      await uow.em.update(TokenEntity, { id, revokedAt: IsNull() }, { revokedAt: uow.now });
      token.revokedAt = uow.now;
      uow.emit({
        type: 'token.revoked',
        token: viewOfToken(token),
        at: uow.now,
        actor: actor.label,
        reason: null,
        before: { revokedAt: null },
        after: { revokedAt: uow.now.toISOString() },
      });
      return viewOfToken(token);
    });
  }

  /** Finds the live token with this secret, if any (LESHY_ADMIN_TOKEN at start-up). */
  findBySecret(uow: UnitOfWork, secret: string): Promise<TokenEntity | null> {
    return uow.em.findOne(TokenEntity, { where: { secretHash: hashTokenSecret(secret) } });
  }

  private async issue(
    uow: UnitOfWork,
    kind: TokenKind,
    owner: { userId: number | null; workerUuid: string | null },
    input: NewTokenInput,
    chosenSecret?: string,
  ): Promise<IssuedToken> {
    const label = input.label.trim();
    if (label === '' || label.length > 255)
      throw new InvalidInputError('a token needs a label of 1 to 255 characters, e.g. "gitlab-ci"');
    const expiresAt = input.expiresAt ?? null;
    assertExpiryAhead(expiresAt, uow.now);
    const secret = chosenSecret ?? newTokenSecret();
    const token = uow.em.create(TokenEntity, {
      kind,
      userId: owner.userId,
      workerUuid: owner.workerUuid,
      label,
      secretHash: hashTokenSecret(secret),
      createdAt: uow.now,
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    });
    const inserted = await uow.em.insert(TokenEntity, token);
    token.id = Number(inserted.identifiers[0].id);
    const view = viewOfToken(token);
    uow.emit({
      type: 'token.created',
      token: view,
      at: uow.now,
      actor: uow.actor,
      reason: null,
      before: null,
      after: { kind, userId: owner.userId, workerUuid: owner.workerUuid, label, expiresAt },
    });
    return { token: view, secret };
  }

  /** Records when a token was last used, at most once a minute; a failure only logs. */
  private touch(token: TokenEntity, now: Date): void {
    const last = Math.max(this.lastTouched.get(token.id) ?? 0, token.lastUsedAt?.getTime() ?? 0);
    if (now.getTime() - last < LAST_USED_RESOLUTION_MS) return;
    this.lastTouched.set(token.id, now.getTime());
    const writing = this.tx
      .run('system:auth', (uow) =>
        uow.em.update(TokenEntity, { id: token.id }, { lastUsedAt: now }),
      )
      .catch((error: unknown) =>
        this.logger.warn(`token ${token.id}: last use not recorded: ${(error as Error).message}`, {
          tokenId: token.id,
        }),
      )
      .finally(() => this.touching.delete(writing));
    this.touching.add(writing);
  }
}

/** One live agent token per worker UUID (the database's unique index says so too). */
export async function assertNoLiveAgentToken(uow: UnitOfWork, workerUuid: string): Promise<void> {
  const live = await uow.em.findOne(TokenEntity, {
    where: { workerUuid, revokedAt: IsNull() },
  });
  if (live) throw new WorkerHasAgentTokenError(workerUuid);
}
