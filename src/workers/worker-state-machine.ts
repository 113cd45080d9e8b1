import { AggregateStateMachine } from '../common/aggregate-state-machine';
import { viewOfWorker } from '../events/domain-event';
import { WorkerEntity } from './worker.entity';
import { WORKER_TRANSITIONS, WorkerState } from './worker-state';

/** The only way a worker's state changes (DESIGN.md "State machines"). */
export const workerStateMachine = new AggregateStateMachine<WorkerEntity, WorkerState>({
  name: 'Worker',
  entity: WorkerEntity,
  table: WORKER_TRANSITIONS,
  key: (worker) => ({ property: 'uuid', value: worker.uuid }),
  onEnter: (to, uow, reason): Partial<WorkerEntity> => {
    switch (to) {
      case WorkerState.Idle:
        return { idleSince: uow.now };
      case WorkerState.Failed:
        return { idleSince: null, failReason: reason ?? 'unknown failure' };
      case WorkerState.Prepare:
        // A fresh preparation: the previous job's key, any old failure and the admin's
        // maintenance order no longer apply (the worker is going back into service).
        return {
          idleSince: null,
          failReason: null,
          preparedKey: null,
          jobUsername: null,
          maintenance: null,
        };
      default:
        return { idleSince: null };
    }
  },
  event: (worker, from, to, uow, reason) => ({
    type: 'worker.state-changed',
    worker: viewOfWorker(worker),
    from,
    to,
    at: uow.now,
    actor: uow.actor,
    reason,
    before: { state: from },
    after: { state: to },
  }),
});
