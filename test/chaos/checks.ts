import type { Acknowledged } from './load';

/** A request as API v1's list shows it. */
export interface ListedRequest {
  ID: number;
  Priority: number;
  State: string;
  Deadline: string;
}

export interface JobRow {
  requestId: number;
  workerUuid: string;
  startedAt: Date;
  timeoutAt: Date;
  endedAt: Date | null;
}

export interface AuditRow {
  id: number;
  type: string;
  aggregateId: string;
  after: Record<string, unknown> | null;
}

/**
 * Each check of a chaos run is a plain function of what was recorded and what the server holds
 * afterwards, and returns one line per violation (empty = the promise held).
 */

/** Acknowledged requests the server does not have, or has with other values. */
export function findLost(acknowledged: Acknowledged[], listed: ListedRequest[]): string[] {
  const byId = new Map(listed.map((r) => [Number(r.ID), r]));
  const lost: string[] = [];
  for (const ack of acknowledged) {
    const found = byId.get(ack.id);
    if (!found) lost.push(`request ${ack.id} was acknowledged (201) and is gone`);
    else if (found.Priority !== ack.priority)
      lost.push(
        `request ${ack.id} was created with priority ${ack.priority}, has ${found.Priority}`,
      );
    else if (ack.deadline && new Date(found.Deadline).getTime() !== ack.deadline.getTime())
      lost.push(
        `request ${ack.id} was created with deadline ${ack.deadline.toISOString()}, has ${found.Deadline}`,
      );
  }
  return lost;
}

/** Workers whose jobs (one row per request ever run) overlap in time. */
export function findOverlappingJobs(jobs: JobRow[]): string[] {
  const byWorker = new Map<string, JobRow[]>();
  for (const job of jobs)
    byWorker.set(job.workerUuid, [...(byWorker.get(job.workerUuid) ?? []), job]);
  const problems: string[] = [];
  for (const [worker, list] of byWorker) {
    list.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    for (let i = 1; i < list.length; i++) {
      const previous = list[i - 1];
      if (previous.endedAt === null || previous.endedAt.getTime() > list[i].startedAt.getTime())
        problems.push(
          `worker ${worker} ran request ${list[i].requestId} while request ${previous.requestId} still ran`,
        );
    }
  }
  return problems;
}

/** The same, replayed from the audit log: a job.started on a worker whose last job has not ended. */
export function findDoubleStartsInAudit(audit: AuditRow[]): string[] {
  const workerOfRequest = new Map<string, string>();
  const runningOn = new Map<string, string>();
  const problems: string[] = [];
  for (const row of [...audit].sort((a, b) => a.id - b.id)) {
    if (row.type === 'job.started') {
      const worker = String(row.after?.workerUuid);
      const running = runningOn.get(worker);
      if (running !== undefined)
        problems.push(
          `audit ${row.id}: worker ${worker} started request ${row.aggregateId} while request ${running} ran`,
        );
      workerOfRequest.set(row.aggregateId, worker);
      runningOn.set(worker, row.aggregateId);
    } else if (row.type === 'job.ended') {
      const worker = workerOfRequest.get(row.aggregateId);
      if (worker !== undefined && runningOn.get(worker) === row.aggregateId)
        runningOn.delete(worker);
    }
  }
  return problems;
}

/** Requests left WAITING past their deadline, or IN PROGRESS past their job timeout, by more than `graceMs`. */
export function findOverdue(
  requests: ListedRequest[],
  jobs: JobRow[],
  now: Date,
  graceMs: number,
): { waiting: string[]; inProgress: string[] } {
  const jobOf = new Map(jobs.map((j) => [Number(j.requestId), j]));
  const limit = now.getTime() - graceMs;
  const waiting = requests
    .filter((r) => r.State === 'WAITING' && new Date(r.Deadline).getTime() < limit)
    .map((r) => `request ${r.ID} still WAITING, its deadline ${r.Deadline} passed`);
  const inProgress = requests
    .filter((r) => r.State === 'IN PROGRESS')
    .filter((r) => {
      const job = jobOf.get(Number(r.ID));
      return !job || job.timeoutAt.getTime() < limit;
    })
    .map((r) => {
      const job = jobOf.get(Number(r.ID));
      return job
        ? `request ${r.ID} still IN PROGRESS, its job timed out at ${job.timeoutAt.toISOString()}`
        : `request ${r.ID} IN PROGRESS without a job`;
    });
  return { waiting, inProgress };
}

/** Workers in a passing state (PREPARE, BUSY) that should have left it by now. */
export function findStuckWorkers(workers: Array<{ WorkerUUID: string; State: string }>): string[] {
  return workers
    .filter((w) => w.State === 'PREPARE' || w.State === 'BUSY')
    .map((w) => `worker ${w.WorkerUUID} stuck in ${w.State}`);
}
