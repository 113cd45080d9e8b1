import { EntityManager } from 'typeorm';
import type { CapsQuery } from '../common/caps-query';
import { JobEntity } from '../jobs/job.entity';
import { RequestEntity } from '../requests/request.entity';

/** One job that started or ended in the window, with what its request says about it. */
export interface RecentJob {
  workerUuid: string;
  startedAt: number;
  endedAt: number | null;
  requestCreatedAt: number;
  requestState: string;
  /** As filed: a cap's value may be a rule (any of, a range, a negation), not only a value. */
  requestCaps: CapsQuery;
}

/**
 * Jobs that started or ended at or after `since` (epoch ms), joined with their request: a
 * day's jobs of a lab, a few columns each.
 */
export async function recentJobs(em: EntityManager, since: number): Promise<RecentJob[]> {
  const rows: Array<Record<string, string | number | null>> = await em
    .createQueryBuilder(JobEntity, 'j')
    .innerJoin(RequestEntity, 'r', 'r.id = j.request_id')
    .select('j.worker_uuid', 'worker')
    .addSelect('j.started_at', 'started')
    .addSelect('j.ended_at', 'ended')
    .addSelect('r.created_at', 'created')
    .addSelect('r.state', 'state')
    .addSelect('r.caps', 'caps')
    .where('j.started_at >= :since OR j.ended_at >= :since', { since })
    .getRawMany();
  return rows.map((row) => ({
    workerUuid: String(row.worker),
    startedAt: Number(row.started),
    endedAt: row.ended === null ? null : Number(row.ended),
    requestCreatedAt: Number(row.created),
    requestState: String(row.state),
    requestCaps: JSON.parse(String(row.caps)) as CapsQuery,
  }));
}
