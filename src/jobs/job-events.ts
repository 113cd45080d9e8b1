import { UnitOfWork } from '../database/unit-of-work';
import { viewOfJob } from '../events/domain-event';
import { JobEntity } from './job.entity';

/** A job's domain event, published with the unit of work that made the change. */
export function emitJobEvent(
  uow: UnitOfWork,
  type: 'job.started' | 'job.prolonged' | 'job.ended',
  job: JobEntity,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  reason: string | null = null,
): void {
  uow.emit({ type, job: viewOfJob(job), at: uow.now, actor: uow.actor, reason, before, after });
}
