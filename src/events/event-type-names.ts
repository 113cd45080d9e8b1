/**
 * The name of every event type the stream and the audit log carry (docs/events.md describes
 * each). A plain list with no imports: the dashboard (web/) listens to each by name, as
 * EventSource needs.
 */
export const EVENT_TYPE_NAMES = [
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
] as const;
