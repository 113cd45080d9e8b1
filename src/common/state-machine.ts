import { DomainError } from './domain-error';

/** Allowed transitions as data: for each state, the states it may move to. */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

export function canTransition<S extends string>(
  table: TransitionTable<S>,
  from: S,
  to: S,
): boolean {
  return table[from]?.includes(to) ?? false;
}

/** A state change that the aggregate's transition table does not allow. */
export class ForbiddenTransitionError extends DomainError {
  readonly code = 'forbidden-transition';
  readonly kind = 'invalid';
  constructor(
    readonly aggregate: string,
    readonly id: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`${aggregate} ${id} cannot go from ${from} to ${to}`);
  }
}

export function assertTransition<S extends string>(
  aggregate: string,
  id: string,
  table: TransitionTable<S>,
  from: S,
  to: S,
): void {
  if (!canTransition(table, from, to)) throw new ForbiddenTransitionError(aggregate, id, from, to);
}
