import { Injectable } from '@nestjs/common';
import { Transactions } from '../../../database/transactions.service';
import { AuditEventEntity } from '../../../events/audit-event.entity';
import { AuditRecord, recordOfRow } from './audit-record';

/**
 * The audit rows after an id, oldest first: what a resumed stream replays. Narrowed to one
 * request's rows (its own and its job's) when the stream asks for one request only.
 */
@Injectable()
export class AuditReplay {
  constructor(private readonly tx: Transactions) {}

  async page(
    after: number,
    upTo: number,
    requestId: number | null,
    limit: number,
  ): Promise<AuditRecord[]> {
    const rows = await this.tx.read((em) => {
      const query = em
        .createQueryBuilder(AuditEventEntity, 'a')
        .where('a.id > :after AND a.id <= :upTo', { after, upTo });
      if (requestId !== null)
        query.andWhere("a.aggregate IN ('request', 'job') AND a.aggregate_id = :aggregateId", {
          aggregateId: String(requestId),
        });
      return query.orderBy('a.id', 'ASC').limit(limit).getMany();
    });
    return rows.map(recordOfRow);
  }
}
