import { Actor, actsOnAnything, ownerKeyOf } from '../../../auth/actor';
import type { AuditRecord } from './audit-record';

/** What an event is about, as filters and visibility judge it. */
export interface EventScope {
  requestId: number | null;
  workerUuid: string | null;
  /** The owner key of the request the event is about (`user:<id>`, `anonymous`), else null. */
  owner: string | null;
  /** User and token events: for admins only. */
  adminOnly: boolean;
}

/** Looks up the owner of a request the event does not carry (job events, old rows). */
export type OwnerLookup = (requestId: number) => Promise<string | null>;

export async function scopeOf(record: AuditRecord, ownerOf: OwnerLookup): Promise<EventScope> {
  const event = record.event;
  switch (record.aggregate) {
    case 'request': {
      const requestId = Number(record.aggregateId);
      const owner =
        event && 'request' in event
          ? (event.request.owner ?? 'anonymous')
          : await ownerOf(requestId);
      return { requestId, workerUuid: null, owner, adminOnly: false };
    }
    case 'job': {
      const requestId = Number(record.aggregateId);
      const workerUuid = event && 'job' in event ? event.job.workerUuid : null;
      return { requestId, workerUuid, owner: await ownerOf(requestId), adminOnly: false };
    }
    case 'worker':
      return { requestId: null, workerUuid: record.aggregateId, owner: null, adminOnly: false };
    default:
      return { requestId: null, workerUuid: null, owner: null, adminOnly: true };
  }
}

/**
 * Who sees an event: admins everything; testers the events of workers and of their own
 * requests (and their jobs), never user or token events.
 */
export function maySee(actor: Actor, scope: EventScope): boolean {
  if (actsOnAnything(actor)) return true;
  if (scope.adminOnly) return false;
  if (scope.requestId === null) return true;
  return scope.owner === ownerKeyOf(actor);
}
