import { Injectable } from '@nestjs/common';
import { Brackets, SelectQueryBuilder } from 'typeorm';
import { Actor, actsOnAnything, ownerKeyOf } from '../../../auth/actor';
import { Transactions } from '../../../database/transactions.service';
import { AuditEventEntity } from '../../../events/audit-event.entity';
import { AuditRecord, recordOfRow } from '../events/audit-record';
import type { EventFilter } from '../events/event-filter';

export interface AuditListInput {
  requestId: number | null;
  workerUuid: string | null;
  actor: string | null;
  types: EventFilter['types'];
  since: Date | null;
  limit: number;
  /** Entries older than this id (the cursor); null: from the newest. */
  before: number | null;
}

export interface AuditPage {
  items: AuditRecord[];
  total: number;
  /** The id of the page's last entry when older ones match too; null on the last page. */
  lastId: number | null;
}

/**
 * The audit log, newest first. Admins read every entry; anyone else the entries of their own
 * requests (the requests' and their jobs'), never a worker's, a user's or a token's.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly tx: Transactions) {}

  async list(viewer: Actor, input: AuditListInput): Promise<AuditPage> {
    return this.tx.read(async (em) => {
      const query = em.createQueryBuilder(AuditEventEntity, 'a');
      this.restrict(query, viewer, input);
      const total = await query.clone().getCount();
      if (input.before !== null) query.andWhere('a.id < :before', { before: input.before });
      const rows = await query
        .orderBy('a.id', 'DESC')
        .limit(input.limit + 1)
        .getMany();
      const items = rows.slice(0, input.limit).map(recordOfRow);
      return {
        items,
        total,
        lastId: rows.length > input.limit ? items[items.length - 1].id : null,
      };
    });
  }

  private restrict(
    query: SelectQueryBuilder<AuditEventEntity>,
    viewer: Actor,
    input: AuditListInput,
  ): void {
    query.where('1 = 1');
    if (!actsOnAnything(viewer))
      query.andWhere(
        "a.aggregate IN ('request', 'job') AND a.aggregate_id IN (SELECT CAST(r.id AS varchar(64)) FROM requests r WHERE r.owner = :owner)",
        { owner: ownerKeyOf(viewer) },
      );
    if (input.requestId !== null)
      query.andWhere("a.aggregate IN ('request', 'job') AND a.aggregate_id = :requestId", {
        requestId: String(input.requestId),
      });
    if (input.workerUuid !== null)
      query.andWhere(
        new Brackets((q) =>
          q
            .where("a.aggregate = 'worker' AND a.aggregate_id = :worker")
            .orWhere(
              "a.aggregate = 'job' AND a.aggregate_id IN (SELECT CAST(j.request_id AS varchar(64)) FROM jobs j WHERE j.worker_uuid = :worker)",
            ),
        ),
        { worker: input.workerUuid },
      );
    if (input.actor !== null) query.andWhere('a.actor = :actor', { actor: input.actor });
    if (input.since !== null) query.andWhere('a.at >= :since', { since: input.since.getTime() });
    const types = input.types;
    if (types)
      query.andWhere(
        new Brackets((q) => {
          q.where('1 = 0');
          if (types.exact.size) q.orWhere('a.type IN (:...exact)', { exact: [...types.exact] });
          types.prefixes.forEach((prefix, i) =>
            q.orWhere(`a.type LIKE :prefix${i}`, { [`prefix${i}`]: `${prefix}%` }),
          );
        }),
      );
  }
}
