import { EntityManager } from 'typeorm';
import { DomainEvent } from '../events/domain-event';

/**
 * One database transaction as services see it: the entity manager bound to the transaction,
 * the moment it started (one `now` for every change in it), who is acting, and the domain
 * events it produced. Events are written to the audit table in the same transaction and
 * published only after commit.
 */
export class UnitOfWork {
  constructor(
    readonly em: EntityManager,
    readonly now: Date,
    readonly actor: string,
    readonly events: DomainEvent[] = [],
  ) {}

  /** The same transaction acting for `actor` (the matcher starting a job inside a create). */
  as(actor: string): UnitOfWork {
    return new UnitOfWork(this.em, this.now, actor, this.events);
  }

  emit(event: DomainEvent): void {
    this.events.push(event);
  }
}
