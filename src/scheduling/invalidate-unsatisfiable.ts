import { isCompatible, Offer } from '../common/ask';
import { UnitOfWork } from '../database/unit-of-work';
import { RequestRepository } from '../requests/request.repository';
import { RequestState } from '../requests/request-state';
import { requestStateMachine } from '../requests/request-state-machine';
import { WorkerRepository } from '../workers/worker.repository';

/**
 * A worker was deregistered or changed its caps: WAITING requests it could satisfy before
 * (`formerOffer`) that no registered worker can satisfy now (caps and groups, whatever the
 * worker's state) become INVALID. Requests it could never serve are left alone: they may be
 * waiting for a board not registered yet. Runs inside the transaction of the change, so the two
 * are never seen apart, even across a crash.
 */
export async function invalidateUnsatisfiable(
  uow: UnitOfWork,
  requestRepository: RequestRepository,
  workerRepository: WorkerRepository,
  formerOffer: Offer,
  reason: string,
): Promise<number[]> {
  const workers = await workerRepository.all(uow.em);
  // One check per distinct ask, not per request: a backlog shares few distinct asks.
  const asks = await requestRepository.distinctWaitingAsks(uow.em);
  const doomed: number[] = [];
  for (const ask of asks) {
    // Raw rows: SQLite answers booleans as 0/1, PostgreSQL as true/false.
    const anyGroup = ask.any_group === true || Number(ask.any_group) === 1;
    const shape = {
      caps: JSON.parse(ask.caps),
      ownerGroups: JSON.parse(ask.owner_groups),
      anyGroup,
    };
    if (!isCompatible(formerOffer, shape) || workers.some((worker) => isCompatible(worker, shape)))
      continue;
    const requests = await requestRepository.waitingWithAsk(uow.em, ask, anyGroup);
    for (const request of requests) {
      await requestStateMachine.transitionTo(uow, request, RequestState.Invalid, reason);
      doomed.push(request.id);
    }
  }
  return doomed;
}
