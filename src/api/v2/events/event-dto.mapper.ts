import type { DomainEvent, JobView } from '../../../events/domain-event';
import type { RequestDto } from '../requests/request-view.dto';
import type { WorkerDto } from '../workers/worker-v2.view';
import { toTokenDto, toUserDto } from '../admin/admin-views';
import type { AuditRecord } from './audit-record';
import type { EventScope } from './event-scope';

/** An event as the stream sends it (`data:`) and the audit route lists it. */
export interface EventDto {
  id: number;
  type: string;
  at: string;
  actor: string;
  reason: string | null;
  requestId: number | null;
  workerUuid: string | null;
  /** *.state-changed: the states before and after. */
  from?: string;
  to?: string;
  request?: RequestDto;
  worker?: WorkerDto;
  job?: JobSnapshot;
  user?: UserSnapshot;
  token?: TokenSnapshot;
  /** The fields the change touched, before and after it (as the audit log keeps them). */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface JobSnapshot {
  requestId: number;
  workerUuid: string;
  startedAt: string;
  timeoutAt: string;
  idleAt: string | null;
  endedAt: string | null;
  prolongCount: number;
}

/** Users and tokens as the admin routes show them (never a secret). */
export type UserSnapshot = ReturnType<typeof toUserDto>;
export type TokenSnapshot = ReturnType<typeof toTokenDto>;

const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

export function jobSnapshot(job: JobView): JobSnapshot {
  return {
    requestId: Number(job.requestId),
    workerUuid: job.workerUuid,
    startedAt: job.startedAt.toISOString(),
    timeoutAt: job.timeoutAt.toISOString(),
    idleAt: iso(job.idleAt),
    endedAt: iso(job.endedAt),
    prolongCount: job.prolongCount,
  };
}

/**
 * The request and worker snapshots as their routes show them (toRequestDto, toWorkerDto): the
 * presenter reads what they need beyond the event (EventPresenter).
 */
export interface RouteSnapshots {
  request?: RequestDto;
  worker?: WorkerDto;
}

/** The snapshot an event carries, by the aggregate it is about. */
function snapshotOf(event: DomainEvent, routes: RouteSnapshots): Partial<EventDto> {
  if ('request' in event) return { request: routes.request };
  if ('worker' in event) return { worker: routes.worker };
  if ('job' in event) return { job: jobSnapshot(event.job) };
  if ('user' in event) return { user: toUserDto(event.user) };
  return { token: toTokenDto(event.token) };
}

/** from/to of a state change: the event's own, or (old rows) the audit's before and after. */
function transitionOf(record: AuditRecord): Pick<EventDto, 'from' | 'to'> {
  const event = record.event;
  if (event && 'from' in event) return { from: event.from, to: event.to };
  if (!record.type.endsWith('.state-changed')) return {};
  const from = record.before?.state;
  const to = record.after?.state;
  return typeof from === 'string' && typeof to === 'string' ? { from, to } : {};
}

/**
 * The event as API v2 shows it. Rows from before the event itself was kept carry no snapshot.
 */
export function toEventDto(
  record: AuditRecord,
  scope: EventScope,
  routes: RouteSnapshots,
): EventDto {
  return {
    id: record.id,
    type: record.type,
    at: record.at.toISOString(),
    actor: record.actor,
    reason: record.reason,
    requestId: scope.requestId,
    workerUuid: scope.workerUuid,
    ...transitionOf(record),
    ...(record.event ? snapshotOf(record.event, routes) : {}),
    before: record.before,
    after: record.after,
  };
}
