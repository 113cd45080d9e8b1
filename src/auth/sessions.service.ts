import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Transactions } from '../database/transactions.service';
import { Actor } from './actor';
import { NotAllowedError, NotAuthenticatedError } from './auth.errors';
import { SessionEntity } from './session.entity';
import { hashTokenSecret, newTokenSecret } from './token-secret';
import { TokensService } from './tokens.service';

/** How long a dashboard session lasts at most (never beyond its token's own expiry). */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;

export interface OpenedSession {
  /** What the cookie holds; known to the browser only, stored hashed. */
  secret: string;
  expiresAt: Date;
  actor: Actor;
}

/**
 * Dashboard sessions, kept in the database: they survive a restart and work across instances.
 * A session acts as the token it was opened with, checked on every call, so revoking the token
 * (or deleting its user) ends its sessions at once.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly tokens: TokensService,
  ) {}

  /** Opens a session for the holder of a user token (agents have no dashboard). */
  async open(tokenSecret: string): Promise<OpenedSession> {
    const actor = await this.tokens.authenticate(tokenSecret);
    if (actor.kind !== 'user' || actor.tokenId === null)
      throw new NotAllowedError('only a user token opens a dashboard session, not an agent token');
    const tokenId = actor.tokenId;
    const now = this.clock.now();
    const tokenExpiry = await this.tokens.expiryOf(tokenId);
    const expiresAt = new Date(
      Math.min(now.getTime() + SESSION_LIFETIME_MS, tokenExpiry?.getTime() ?? Infinity),
    );
    const secret = newTokenSecret();
    await this.tx.run(actor.label, async (uow) => {
      // Expired sessions are dropped as new ones open: the table stays as small as its use.
      // (A query builder: delete() criteria skip the column's epoch transformer.)
      await uow.em
        .createQueryBuilder()
        .delete()
        .from(SessionEntity)
        .where('expires_at <= :now', { now: now.getTime() })
        .execute();
      await uow.em.insert(SessionEntity, {
        secretHash: hashTokenSecret(secret),
        tokenId,
        createdAt: now,
        expiresAt,
      });
    });
    return { secret, expiresAt, actor };
  }

  /** Who the session with this cookie value acts for; 401 once it ended or its token did. */
  async authenticate(secret: string): Promise<Actor> {
    const session = await this.tx.read((em) =>
      em.findOne(SessionEntity, { where: { secretHash: hashTokenSecret(secret) } }),
    );
    if (!session)
      throw new NotAuthenticatedError(
        'the session has ended (logged out, or unknown): log in again',
      );
    if (session.expiresAt.getTime() <= this.clock.now().getTime())
      throw new NotAuthenticatedError(
        `the session expired at ${session.expiresAt.toISOString()}: log in again`,
      );
    return this.tokens.authenticateTokenId(session.tokenId);
  }

  /** Ends the session with this cookie value (nothing to do if it ended already). */
  async close(secret: string): Promise<void> {
    await this.tx.run('system:auth', (uow) =>
      uow.em.delete(SessionEntity, { secretHash: hashTokenSecret(secret) }),
    );
  }
}
