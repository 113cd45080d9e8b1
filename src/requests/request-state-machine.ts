import { AggregateStateMachine } from '../common/aggregate-state-machine';
import { UnitOfWork } from '../database/unit-of-work';
import { viewOfRequest } from '../events/domain-event';
import { RequestEntity } from './request.entity';
import { DEFAULT_HOW, EndedHow, TERMINAL_STATES } from './request-ending';
import { REQUEST_TRANSITIONS, RequestState } from './request-state';

/** The only way a request's state changes (DESIGN.md "State machines"). */
export const requestStateMachine = new AggregateStateMachine<RequestEntity, RequestState>({
  name: 'Request',
  entity: RequestEntity,
  table: REQUEST_TRANSITIONS,
  key: (request) => ({ property: 'id', value: request.id }),
  // A terminal state and the record of how it was reached are written in one update.
  onEnter: (to, uow, reason) =>
    TERMINAL_STATES.includes(to)
      ? {
          endedHow: DEFAULT_HOW[to] ?? null,
          endedReason: reason,
          endedBy: uow.actor,
          endedAt: uow.now,
        }
      : {},
  event: (request, from, to, uow, reason) => ({
    type: 'request.state-changed',
    request: viewOfRequest(request),
    from,
    to,
    at: uow.now,
    actor: uow.actor,
    reason,
    before: { state: from },
    after: { state: to },
  }),
});

/** A request reaches a terminal state `how` (DONE and CANCELLED are reached several ways). */
export function endRequest(
  uow: UnitOfWork,
  request: RequestEntity,
  to: RequestState,
  how: EndedHow,
  reason: string,
): Promise<void> {
  return requestStateMachine.transitionTo(uow, request, to, reason, { endedHow: how });
}
