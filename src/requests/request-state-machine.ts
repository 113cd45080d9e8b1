import { AggregateStateMachine } from '../common/aggregate-state-machine';
import { viewOfRequest } from '../events/domain-event';
import { RequestEntity } from './request.entity';
import { REQUEST_TRANSITIONS, RequestState } from './request-state';

/** The only way a request's state changes (DESIGN.md "State machines"). */
export const requestStateMachine = new AggregateStateMachine<RequestEntity, RequestState>({
  name: 'Request',
  entity: RequestEntity,
  table: REQUEST_TRANSITIONS,
  key: (request) => ({ column: 'id', value: request.id }),
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
