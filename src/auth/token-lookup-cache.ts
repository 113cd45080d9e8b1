import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { DomainEventBus } from '../events/domain-event-bus';
import { TokenEntity } from './token.entity';
import { UserEntity } from './user.entity';

/**
 * How long (real time) a looked-up user token is trusted without reading it again. Within one
 * server a revocation, a user's change or deletion empties the cache at once (the events
 * below); the bound is for the other servers of a scale-out, which learn of it from the database.
 */
export const TOKEN_LOOKUP_TTL_MS = 1_000;

/** More distinct tokens than a lab has CI systems and testers: beyond this, start again. */
const MAX_ENTRIES = 10_000;

export interface TokenLookup {
  token: TokenEntity;
  user: UserEntity;
}

/**
 * The user tokens (and their users) that authenticated in the last second, by the key they were
 * found under (the secret's hash, or a session's token id). Every authenticated call read both
 * rows: two of the statements of every call of a CI client or tester. Expiry and revocation are
 * still checked on every use against the cached row; agent tokens are not kept (their binding
 * to a worker changes on first registration, and agents call rarely). A lookup that started
 * before an invalidation is not stored, so a revoked token's old row never comes back.
 */
@Injectable()
export class TokenLookupCache implements OnModuleDestroy {
  private readonly entries = new Map<string, { found: TokenLookup; until: number }>();
  private generation = 0;
  private readonly unsubscribe: Array<() => void>;

  constructor(bus: DomainEventBus) {
    const clear = () => this.clear();
    this.unsubscribe = [
      bus.on('token.revoked', clear),
      bus.on('user.updated', clear),
      bus.on('user.deleted', clear),
    ];
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe) off();
  }

  /** The cached lookup under `key`, or null when there is none or it is older than the TTL. */
  get(key: string): TokenLookup | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.until > performance.now()) return entry.found;
    this.entries.delete(key);
    return null;
  }

  /** The generation to pass to `set` for a lookup about to be read from the database. */
  begin(): number {
    return this.generation;
  }

  set(key: string, found: TokenLookup, generation: number): void {
    if (generation !== this.generation || found.token.kind !== 'user') return;
    // Entries are dropped when read stale; tokens never read again go with a full sweep.
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { found, until: performance.now() + TOKEN_LOOKUP_TTL_MS });
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
