import type { TokenEntity } from '../auth/token.entity';
import type { UserEntity } from '../auth/user.entity';
import type { JobEntity } from '../jobs/job.entity';
import type { RequestEntity } from '../requests/request.entity';
import type { RequestState } from '../requests/request-state';
import type { WorkerEntity } from '../workers/worker.entity';
import type { WorkerState } from '../workers/worker-state';

/** Copies handed to listeners after commit: never the live entity, never a secret. */
export type RequestView = Readonly<RequestEntity>;
export type WorkerView = Readonly<Omit<WorkerEntity, 'preparedKey'>>;
export type JobView = Readonly<Omit<JobEntity, 'accessKey'>>;
export type UserView = Readonly<UserEntity>;
/** A token as anyone may see it after its creation: never its secret, nor the hash of it. */
export type TokenView = Readonly<Omit<TokenEntity, 'secretHash'>>;

/** What every event carries; it is also the audit row (who, when, before, after, why). */
export interface EventBase {
  at: Date;
  actor: string;
  reason: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** Set on events another server instance committed (PostgreSQL, src/cluster/event-relay). */
  remote?: true;
}

export type DomainEvent =
  | (EventBase & { type: 'request.created'; request: RequestView })
  | (EventBase & { type: 'request.updated'; request: RequestView })
  | (EventBase & {
      type: 'request.state-changed';
      request: RequestView;
      from: RequestState;
      to: RequestState;
    })
  | (EventBase & { type: 'worker.registered'; worker: WorkerView })
  | (EventBase & { type: 'worker.updated'; worker: WorkerView })
  | (EventBase & {
      type: 'worker.state-changed';
      worker: WorkerView;
      from: WorkerState;
      to: WorkerState;
    })
  | (EventBase & { type: 'worker.deregistered'; worker: WorkerView })
  | (EventBase & { type: 'job.started'; job: JobView })
  | (EventBase & { type: 'job.prolonged'; job: JobView })
  /** The job is within LESHY_EXPIRY_WARNING of its timeout: once per timeout (prolong re-arms). */
  | (EventBase & { type: 'job.expiring'; job: JobView })
  | (EventBase & { type: 'job.ended'; job: JobView })
  | (EventBase & { type: 'user.created' | 'user.updated' | 'user.deleted'; user: UserView })
  | (EventBase & { type: 'token.created' | 'token.bound' | 'token.revoked'; token: TokenView });

export type DomainEventType = DomainEvent['type'];
export type EventOfType<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

/** Which aggregate an event belongs to, and its id: the audit table's key. */
export function aggregateOf(event: DomainEvent): { aggregate: string; id: string } {
  if ('request' in event) return { aggregate: 'request', id: String(event.request.id) };
  if ('worker' in event) return { aggregate: 'worker', id: event.worker.uuid };
  if ('user' in event) return { aggregate: 'user', id: String(event.user.id) };
  if ('token' in event) return { aggregate: 'token', id: String(event.token.id) };
  return { aggregate: 'job', id: String(event.job.requestId) };
}

export function viewOfRequest(request: RequestEntity): RequestView {
  return { ...request, caps: { ...request.caps }, ownerGroups: [...request.ownerGroups] };
}

export function viewOfWorker(worker: WorkerEntity): WorkerView {
  const { preparedKey: _secret, ...rest } = worker;
  return { ...rest, caps: { ...worker.caps }, groups: [...worker.groups] };
}

export function viewOfUser(user: UserEntity): UserView {
  return { ...user, groups: [...user.groups] };
}

export function viewOfToken(token: TokenEntity): TokenView {
  const { secretHash: _secret, ...rest } = token;
  return { ...rest };
}

export function viewOfJob(job: JobEntity): JobView {
  const { accessKey: _secret, ...rest } = job;
  return { ...rest };
}
