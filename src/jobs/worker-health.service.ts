import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { nameOf, ownerNames } from '../auth/owner-names';
import { Clock } from '../common/clock';
import { Transactions } from '../database/transactions.service';
import { AuditEventEntity } from '../events/audit-event.entity';
import { RequestRepository } from '../requests/request.repository';
import { WorkerState } from '../workers/worker-state';
import { JobRepository } from './job.repository';

/** One failure (ok: false) or recovery (ok: true, FAILED → PREPARE) of a worker. */
export interface HealthEntry {
  at: Date;
  ok: boolean;
  reason: string | null;
}

/** What a worker row alone does not say: its running job, and how healthy it has been. */
export interface WorkerFacts {
  job: { requestId: number; owner: string; startedAt: Date; timeoutAt: Date } | null;
  lastFailure: { at: Date; reason: string | null } | null;
  failuresLastDay: number;
  /** The failures and recoveries of the last day, newest first. */
  health: HealthEntry[];
}

export const HEALTH_WINDOW_MS = 24 * 60 * 60 * 1000;

const FAILED_AFTER = JSON.stringify({ state: WorkerState.Failed });
const STATE_CHANGED = 'worker.state-changed';

/**
 * Reads the facts of a page of workers. Health comes from the audit log: every state change
 * is written there in the transaction that makes it, with its reason, on every instance and
 * across restarts, so it is the complete record of failures (entering FAILED) and recoveries
 * (FAILED → PREPARE). Two indexed queries per page (by aggregate and id), plus one for the jobs.
 */
@Injectable()
export class WorkerHealthService {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly jobs: JobRepository,
    private readonly requests: RequestRepository,
  ) {}

  factsOf(uuids: readonly string[]): Promise<Map<string, WorkerFacts>> {
    const since = new Date(this.clock.now().getTime() - HEALTH_WINDOW_MS);
    return this.tx.read(async (em) => {
      const facts = new Map<string, WorkerFacts>(
        uuids.map((uuid) => [
          uuid,
          { job: null, lastFailure: null, failuresLastDay: 0, health: [] },
        ]),
      );
      if (uuids.length === 0) return facts;
      await this.addJobs(em, uuids, facts);
      await addRecentHealth(em, uuids, since, facts);
      await addOlderFailures(em, uuids, facts);
      return facts;
    });
  }

  private async addJobs(
    em: EntityManager,
    uuids: readonly string[],
    facts: Map<string, WorkerFacts>,
  ): Promise<void> {
    const jobs = await this.jobs.runningOnWorkers(em, uuids);
    if (jobs.length === 0) return;
    const requests = await this.requests.ownersOf(
      em,
      jobs.map((j) => j.requestId),
    );
    const names = await ownerNames(
      em,
      requests.map((r) => r.owner),
    );
    const ownerOf = new Map(requests.map((r) => [Number(r.id), nameOf(names, r.owner)]));
    for (const job of jobs) {
      facts.get(job.workerUuid)!.job = {
        requestId: Number(job.requestId),
        owner: ownerOf.get(Number(job.requestId)) ?? 'anonymous',
        startedAt: job.startedAt,
        timeoutAt: job.timeoutAt,
      };
    }
  }
}

function workerStateChanges(em: EntityManager, uuids: readonly string[]) {
  return em
    .createQueryBuilder(AuditEventEntity, 'a')
    .where("a.aggregate = 'worker' AND a.aggregate_id IN (:...uuids) AND a.type = :type", {
      uuids: [...uuids],
      type: STATE_CHANGED,
    });
}

/** Failures and recoveries since `since`, newest first; the newest failure is the last one. */
async function addRecentHealth(
  em: EntityManager,
  uuids: readonly string[],
  since: Date,
  facts: Map<string, WorkerFacts>,
): Promise<void> {
  const rows = await workerStateChanges(em, uuids)
    .andWhere('a.at >= :since', { since: since.getTime() })
    .orderBy('a.id', 'DESC')
    .getMany();
  for (const row of rows) {
    const entry = healthEntryOf(row);
    if (!entry) continue;
    const of = facts.get(row.aggregateId)!;
    of.health.push(entry);
    if (!entry.ok) {
      of.failuresLastDay++;
      of.lastFailure ??= { at: entry.at, reason: entry.reason };
    }
  }
}

/** The last failure of workers that had none within the window (one row each). */
async function addOlderFailures(
  em: EntityManager,
  uuids: readonly string[],
  facts: Map<string, WorkerFacts>,
): Promise<void> {
  const without = uuids.filter((uuid) => !facts.get(uuid)!.lastFailure);
  if (without.length === 0) return;
  const latest = await workerStateChanges(em, without)
    .andWhere('a.after = :failed', { failed: FAILED_AFTER })
    .select('MAX(a.id)', 'id')
    .groupBy('a.aggregate_id')
    .getRawMany<{ id: number | string }>();
  if (latest.length === 0) return;
  const rows = await em.find(AuditEventEntity, {
    where: { id: In(latest.map((r) => Number(r.id))) },
  });
  for (const row of rows)
    facts.get(row.aggregateId)!.lastFailure = { at: row.at, reason: row.reason };
}

/**
 * A state change into FAILED is a failure; one from FAILED back towards service (PREPARE) a
 * recovery. Others are neither (FAILED → BUSY is an admin taking the board out, not a recovery).
 */
export function healthEntryOf(row: Pick<AuditEventEntity, 'at' | 'before' | 'after' | 'reason'>) {
  if (row.after?.state === WorkerState.Failed)
    return { at: row.at, ok: false, reason: row.reason } satisfies HealthEntry;
  if (row.before?.state === WorkerState.Failed && row.after?.state === WorkerState.Prepare)
    return { at: row.at, ok: true, reason: row.reason } satisfies HealthEntry;
  return null;
}
