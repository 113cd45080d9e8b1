import { DataSource } from 'typeorm';
import { canTransition } from '../../src/common/state-machine';
import { AuditEventEntity } from '../../src/events/audit-event.entity';
import { JobEntity } from '../../src/jobs/job.entity';
import { isCompatible, isReady } from '../../src/common/ask';
import { RequestEntity } from '../../src/requests/request.entity';
import {
  REQUEST_STATES,
  REQUEST_TRANSITIONS,
  RequestState,
} from '../../src/requests/request-state';
import { WorkerEntity } from '../../src/workers/worker.entity';
import { WORKER_STATES, WORKER_TRANSITIONS, WorkerState } from '../../src/workers/worker-state';

/**
 * Checks, straight from the database, everything that must hold whatever ran concurrently.
 * Returns the violations found (empty = consistent).
 */
export async function findViolations(dataSource: DataSource, now: Date): Promise<string[]> {
  const problems: string[] = [];
  const requests = await dataSource.getRepository(RequestEntity).find();
  const workers = await dataSource.getRepository(WorkerEntity).find();
  const jobs = await dataSource.getRepository(JobEntity).find();
  const audit = await dataSource.getRepository(AuditEventEntity).find({ order: { id: 'ASC' } });
  const active = jobs.filter((j) => j.endedAt === null);

  for (const request of requests) {
    if (!REQUEST_STATES.includes(request.state))
      problems.push(`request ${request.id} in unknown state ${request.state}`);
    const running = active.filter((j) => j.requestId === request.id);
    if ((request.state === RequestState.InProgress) !== (running.length === 1)) {
      problems.push(
        `request ${request.id} is ${request.state} with ${running.length} running jobs`,
      );
    }
  }
  for (const worker of workers) {
    if (!WORKER_STATES.includes(worker.state))
      problems.push(`worker ${worker.uuid} in unknown state ${worker.state}`);
    const running = active.filter((j) => j.workerUuid === worker.uuid);
    if (running.length > 1)
      problems.push(`worker ${worker.uuid} has ${running.length} running jobs`);
    if ((worker.state === WorkerState.Running) !== (running.length === 1)) {
      problems.push(`worker ${worker.uuid} is ${worker.state} with ${running.length} running jobs`);
    }
  }
  // Every recorded state change is a legal step from the previous state, starting where
  // aggregates are born (WAITING, MAINTENANCE): nothing bypassed the state machines.
  const requestStates = new Map<string, string>();
  const workerStates = new Map<string, string>();
  for (const row of audit) {
    if (row.type === 'request.created') requestStates.set(row.aggregateId, RequestState.Waiting);
    if (row.type === 'worker.registered')
      workerStates.set(row.aggregateId, WorkerState.Maintenance);
    if (row.type !== 'request.state-changed' && row.type !== 'worker.state-changed') continue;
    const isRequest = row.type === 'request.state-changed';
    const states = isRequest ? requestStates : workerStates;
    const from = row.before?.state as string;
    const to = row.after?.state as string;
    const legal = isRequest
      ? canTransition(REQUEST_TRANSITIONS, from as RequestState, to as RequestState)
      : canTransition(WORKER_TRANSITIONS, from as WorkerState, to as WorkerState);
    if (states.get(row.aggregateId) !== from || !legal) {
      problems.push(
        `${row.aggregate} ${row.aggregateId}: recorded ${from} → ${to} after ${states.get(row.aggregateId)}`,
      );
    }
    states.set(row.aggregateId, to);
  }
  for (const request of requests) {
    if (requestStates.get(String(request.id)) !== request.state)
      problems.push(`request ${request.id}: audit disagrees with state`);
  }
  // After the matcher has settled, no ready request is left next to an idle worker that fits it.
  for (const worker of workers.filter((w) => w.state === WorkerState.Idle)) {
    const fits = requests.find(
      (r) => r.state === RequestState.Waiting && isReady(r, now) && isCompatible(worker, r),
    );
    if (fits)
      problems.push(`request ${fits.id} waits although worker ${worker.uuid} is idle and fits`);
  }
  return problems;
}
