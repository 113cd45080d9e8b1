import { AuditEventEntity } from '../../../events/audit-event.entity';
import { aggregateOf, DomainEvent } from '../../../events/domain-event';
import { decodeEvent } from '../../../events/event-codec';

/**
 * One audit row as the event stream and the audit route see it: the row's own columns, and the
 * event as it was published (null on rows written before the payload was kept on SQLite too).
 * The row id is the event id.
 */
export interface AuditRecord {
  id: number;
  at: Date;
  actor: string;
  type: string;
  aggregate: string;
  aggregateId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
  event: DomainEvent | null;
}

export function recordOfRow(row: AuditEventEntity): AuditRecord {
  return {
    id: Number(row.id),
    at: row.at,
    actor: row.actor,
    type: row.type,
    aggregate: row.aggregate,
    aggregateId: row.aggregateId,
    before: row.before,
    after: row.after,
    reason: row.reason,
    event: readPayload(row.payload),
  };
}

/** A row the outbox relay read (id and payload only): everything else is in the event. */
export function recordOfEvent(id: number, event: DomainEvent): AuditRecord {
  const { aggregate, id: aggregateId } = aggregateOf(event);
  return {
    id,
    at: event.at,
    actor: event.actor,
    type: event.type,
    aggregate,
    aggregateId,
    before: event.before,
    after: event.after,
    reason: event.reason,
    event,
  };
}

export function readPayload(payload: string | null): DomainEvent | null {
  if (payload === null) return null;
  try {
    return decodeEvent(payload);
  } catch {
    return null;
  }
}
