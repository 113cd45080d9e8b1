import { UnitOfWork } from '../database/unit-of-work';
import { isCompatible, Offer } from '../common/ask';
import { WorkerEntity } from '../workers/worker.entity';
import { RequestEntity } from '../requests/request.entity';
import { RequestState } from '../requests/request-state';
import { requestStateMachine } from '../requests/request-state-machine';

/**
 * A worker was deregistered or changed its caps: WAITING requests it could satisfy before
 * (`formerOffer`) that no registered worker can satisfy now (caps and groups, whatever the
 * worker's state) become INVALID. Requests it could never serve are left alone: they may be
 * waiting for a board not registered yet. Runs inside the transaction of the change, so the two
 * are never seen apart, even across a crash.
 */
export async function invalidateUnsatisfiable(
  uow: UnitOfWork,
  formerOffer: Offer,
  reason: string,
): Promise<number[]> {
  const workers = await uow.em.find(WorkerEntity);
  // One check per distinct ask, not per request: a backlog shares few distinct asks.
  const asks: Array<{ caps: string; owner_groups: string; any_group: unknown }> = await uow.em
    .createQueryBuilder(RequestEntity, 'r')
    .select(['r.caps AS caps', 'r.owner_groups AS owner_groups', 'r.any_group AS any_group'])
    .distinct(true)
    .where('r.state = :state', { state: RequestState.Waiting })
    .getRawMany();
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
    const requests = await uow.em
      .createQueryBuilder(RequestEntity, 'r')
      .where(
        'r.state = :state AND r.caps = :caps AND r.owner_groups = :groups AND r.any_group = :anyGroup',
        { state: RequestState.Waiting, caps: ask.caps, groups: ask.owner_groups, anyGroup },
      )
      .getMany();
    for (const request of requests) {
      await requestStateMachine.transitionTo(uow, request, RequestState.Invalid, reason);
      doomed.push(request.id);
    }
  }
  return doomed;
}
