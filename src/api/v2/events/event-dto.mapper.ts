import type { DomainEvent, JobView, RequestView, WorkerView } from '../../../events/domain-event';
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
  request?: RequestSnapshot;
  worker?: WorkerSnapshot;
  job?: JobSnapshot;
  user?: UserSnapshot;
  token?: TokenSnapshot;
  /** The fields the change touched, before and after it (as the audit log keeps them). */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** The request as it was right after the event. */
export interface RequestSnapshot {
  id: number;
  state: string;
  priority: number;
  owner: string;
  groups: string[];
  caps: Record<string, unknown>;
  validAfter: string;
  deadline: string;
  createdAt: string;
  updatedAt: string;
  unservable: string | null;
}

export interface WorkerSnapshot {
  uuid: string;
  state: string;
  caps: Record<string, unknown>;
  groups: string[];
  accessMode: string;
  registeredAt: string;
  updatedAt: string;
  failReason: string | null;
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

export function requestSnapshot(request: RequestView, ownerName: string): RequestSnapshot {
  return {
    id: Number(request.id),
    state: request.state,
    priority: request.priority,
    owner: ownerName,
    groups: [...request.ownerGroups],
    caps: { ...request.caps },
    validAfter: request.validAfter.toISOString(),
    deadline: request.deadline.toISOString(),
    createdAt: request.createdAt.toISOString(),
    updatedAt: request.updatedAt.toISOString(),
    unservable: request.unservableNote ?? null,
  };
}

export function workerSnapshot(worker: WorkerView): WorkerSnapshot {
  return {
    uuid: worker.uuid,
    state: worker.state,
    caps: { ...worker.caps },
    groups: [...worker.groups],
    accessMode: worker.accessMode,
    registeredAt: worker.registeredAt.toISOString(),
    updatedAt: worker.updatedAt.toISOString(),
    failReason: worker.failReason,
  };
}

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

/** The snapshot an event carries, by the aggregate it is about. */
function snapshotOf(event: DomainEvent, ownerName: string): Partial<EventDto> {
  if ('request' in event) return { request: requestSnapshot(event.request, ownerName) };
  if ('worker' in event) return { worker: workerSnapshot(event.worker) };
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
 * The event as API v2 shows it. `ownerName` names the owner of the request in a request
 * event's snapshot. Rows from before the event itself was kept carry no snapshot.
 */
export function toEventDto(record: AuditRecord, scope: EventScope, ownerName: string): EventDto {
  return {
    id: record.id,
    type: record.type,
    at: record.at.toISOString(),
    actor: record.actor,
    reason: record.reason,
    requestId: scope.requestId,
    workerUuid: scope.workerUuid,
    ...transitionOf(record),
    ...(record.event ? snapshotOf(record.event, ownerName) : {}),
    before: record.before,
    after: record.after,
  };
}
