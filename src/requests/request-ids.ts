import type { FactoryProvider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { RequestRepository } from './request.repository';

/**
 * Ids of new requests. SQLite (one instance, one writer): counted in this process from the
 * highest id the database ever gave (sqlite_sequence remembers ids of deleted rows too), so a
 * create's INSERT needs nothing back and can wait to be written with the rest of its group
 * commit (DeferredInserts). An id taken by a create that is then rolled back is not used again:
 * ids stay increasing, possibly with gaps, as upstream's. PostgreSQL: the database's sequence,
 * which all instances share.
 */
export class RequestIds {
  /** `highest`: the highest id given so far, or null where the database chooses ids. */
  constructor(private highest: number | null) {}

  /** The id of the next new request, or null where the database chooses it. */
  next(): number | null {
    return this.highest === null ? null : ++this.highest;
  }
}

/** RequestIds, counting from what the database holds when the server starts. */
export const requestIdsProvider: FactoryProvider<RequestIds> = {
  provide: RequestIds,
  inject: [Transactions, AppConfig, RequestRepository],
  useFactory: async (tx: Transactions, config: AppConfig, repository: RequestRepository) =>
    new RequestIds(
      config.database.kind === 'sqlite'
        ? await tx.read((em) => repository.highestIdEverGiven(em))
        : null,
    ),
};
