import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { RequestRepository } from './request.repository';

/**
 * Ids of new requests. SQLite (one instance, one writer): counted in this process from the
 * highest id the database ever gave (sqlite_sequence remembers ids of deleted rows too), so a
 * create's INSERT needs nothing back and can wait to be written with the rest of its group
 * commit (DeferredInserts). An id taken by a create that is then rolled back is not used again:
 * ids stay increasing, possibly with gaps, as upstream's. PostgreSQL: the database's sequence,
 * which all instances share (null here).
 */
@Injectable()
export class RequestIds implements OnModuleInit {
  private last = 0;

  constructor(
    private readonly tx: Transactions,
    private readonly config: AppConfig,
    private readonly repository: RequestRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.database.kind !== 'sqlite') return;
    const highest = await this.tx.read((em) => this.repository.highestIdEverGiven(em));
    this.last = Math.max(this.last, highest);
  }

  /** The id of the next new request, or null where the database chooses it. */
  next(): number | null {
    return this.config.database.kind === 'sqlite' ? ++this.last : null;
  }
}
