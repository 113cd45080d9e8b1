import { Injectable } from '@nestjs/common';
import { Transactions } from '../../../database/transactions.service';
import { nameOf, ownerNames } from '../../../auth/owner-names';
import { RequestRepository } from '../../../requests/request.repository';

/** Entries kept before the oldest are forgotten (looked up again if needed). */
const CACHE_SIZE = 10_000;

/** A small bounded map: oldest entries go first. */
class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  has(key: K): boolean {
    return this.map.has(key);
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > CACHE_SIZE) this.map.delete(this.map.keys().next().value as K);
  }
}

/**
 * What event streams look up about the requests and users their events name: a request's
 * owner (it never changes) for visibility, a user's name (names never change) for the request snapshot. Cached, as
 * every stream asks the same for every job event.
 */
@Injectable()
export class RequestOwners {
  private readonly owners = new BoundedCache<number, string | null>();
  private readonly names = new BoundedCache<string, string>();

  constructor(
    private readonly tx: Transactions,
    private readonly requests: RequestRepository,
  ) {}

  /** The owner key (`user:<id>`, `anonymous`) of a request, null if there is no such request. */
  async ownerOf(requestId: number): Promise<string | null> {
    if (this.owners.has(requestId)) return this.owners.get(requestId)!;
    const row = await this.tx.read((em) => this.requests.ownerOf(em, requestId));
    const owner = row ? (row.owner ?? 'anonymous') : null;
    if (row) this.owners.set(requestId, owner);
    return owner;
  }

  /** The user name an owner key stands for, as the request routes name it (auth/owner-names). */
  async nameOf(owner: string | null): Promise<string> {
    const key = owner ?? 'anonymous';
    const cached = this.names.get(key);
    if (cached) return cached;
    const names = await this.tx.read((em) => ownerNames(em, [owner]));
    // Names never change: known ones are kept. A deleted user's key is shown as it is.
    if (names.has(key)) this.names.set(key, names.get(key)!);
    return nameOf(names, owner);
  }
}
