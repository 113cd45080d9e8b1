import { EntityTarget, ObjectLiteral } from 'typeorm';
import { updateIfUnchanged } from '../database/compare-and-set';
import type { RowKey } from '../database/entity-statements';
import { UnitOfWork } from '../database/unit-of-work';
import { assertTransition, TransitionTable } from './state-machine';

/** What an aggregate needs to have its state changed by AggregateStateMachine. */
export interface StatefulAggregate<S extends string> extends ObjectLiteral {
  state: S;
  stateVersion: number;
  updatedAt: Date;
}

export interface AggregateStateMachineOptions<E extends StatefulAggregate<S>, S extends string> {
  /** Name in errors and messages, e.g. `Request`. */
  name: string;
  entity: EntityTarget<E>;
  table: TransitionTable<S>;
  /** Primary key property and value of an aggregate. */
  key: (aggregate: E) => { property: keyof E & string; value: string | number };
  /** Columns that change together with entering a state (e.g. idle_since when entering IDLE). */
  onEnter?: (to: S, uow: UnitOfWork, reason: string | null) => Partial<E>;
  /** The domain event that records the change. */
  event: (
    aggregate: E,
    from: S,
    to: S,
    uow: UnitOfWork,
    reason: string | null,
  ) => Parameters<UnitOfWork['emit']>[0];
}

/**
 * The one function that changes an aggregate's `state`: it checks the transition against the
 * table, saves with a compare-and-set on `state_version` (so a concurrent writer, in this or
 * another server instance, makes it fail instead of being overwritten), then records the
 * domain event (audited in the same transaction, published after commit).
 */
export class AggregateStateMachine<E extends StatefulAggregate<S>, S extends string> {
  constructor(private readonly options: AggregateStateMachineOptions<E, S>) {}

  /**
   * `alongside` sets further columns in the same update (e.g. the prepared key with IDLE), so a
   * state and the data that belongs to it are never seen apart.
   */
  async transitionTo(
    uow: UnitOfWork,
    aggregate: E,
    to: S,
    reason: string | null = null,
    alongside: Partial<E> = {},
  ): Promise<void> {
    const { name, entity, table, key, onEnter, event } = this.options;
    const { property, value } = key(aggregate);
    const from = aggregate.state;
    assertTransition(name, String(value), table, from, to);
    const changes = {
      ...(onEnter?.(to, uow, reason) ?? {}),
      ...alongside,
      state: to,
      stateVersion: aggregate.stateVersion + 1,
      updatedAt: uow.now,
    } as Partial<E>;
    await updateIfUnchanged(
      uow.em,
      entity,
      `${name} ${value}`,
      { [property]: value, stateVersion: aggregate.stateVersion } as RowKey<E>,
      changes,
    );
    Object.assign(aggregate, changes);
    uow.emit(event(aggregate, from, to, uow, reason));
  }
}
