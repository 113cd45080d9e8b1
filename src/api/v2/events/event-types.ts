import type { DomainEventType } from '../../../events/domain-event';

/** Every event type the stream and the audit log carry (docs/events.md describes each). */
export const EVENT_TYPES: readonly DomainEventType[] = [
  'request.created',
  'request.updated',
  'request.state-changed',
  'worker.registered',
  'worker.updated',
  'worker.state-changed',
  'worker.deregistered',
  'job.started',
  'job.prolonged',
  'job.expiring',
  'job.ended',
  'user.created',
  'user.updated',
  'user.deleted',
  'token.created',
  'token.bound',
  'token.revoked',
];
