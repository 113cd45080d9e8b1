import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { ConcurrentModificationError } from '../common/domain-error';
import { aggregateOf, DomainEvent } from '../events/domain-event';
import { DomainEventBus } from '../events/domain-event-bus';
import { AuditEventEntity } from '../events/audit-event.entity';
import { encodeEvent } from '../events/event-codec';
import { InstanceIdentity } from '../cluster/instance-identity';
import { wakeEventReaders } from './advisory-locks';
import { insertRows } from './insert-rows';
import { ReadConnection } from './read-connection';
import { SqliteSerialExecutor } from './sqlite-serial-executor';
import { UnitOfWork } from './unit-of-work';

/**
 * The only way services touch the database. Every change runs in a transaction that also
 * appends its audit rows; its events are published once it has committed.
 *
 * SQLite: all writes go through SqliteSerialExecutor (one connection, group commit); reads
 * use a separate read-only connection (ReadConnection).
 * PostgreSQL: a connection pool, one transaction per call; compare-and-set updates and unique
 * indexes arbitrate between concurrent transactions, of this and other server instances. The
 * audit rows are also the outbox other instances read their events from
 * (src/cluster/event-relay.service.ts): they carry the event and this instance's id. They are
 * the transaction's last writes, after all its other writes (the relay relies on that).
 */
/** What one unit of work produced: its value, and its events to audit and publish. */
interface Attempt<T> {
  value: T;
  uow: UnitOfWork;
}

/** Tries of a unit of work that keeps losing races before the loss is reported. */
const MAX_ATTEMPTS = 3;

@Injectable()
export class Transactions {
  private readonly serial: SqliteSerialExecutor | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly bus: DomainEventBus,
    private readonly reads: ReadConnection,
    private readonly instance: InstanceIdentity,
  ) {
    // On SQLite the audit rows of a whole group commit are written in one statement.
    this.serial =
      dataSource.options.type === 'sqlite'
        ? new SqliteSerialExecutor(dataSource, (em, done) =>
            this.appendAudit(
              em,
              (done as Attempt<unknown>[]).flatMap((d) => d.uow.events),
            ),
          )
        : null;
  }

  /**
   * Runs `work` in a transaction as `actor`; publishes its events after commit. A unit of work
   * that lost a race (a compare-and-set found the row changed, ConcurrentModificationError) runs
   * again from the start, reading fresh data, as if it had come after the winner; after
   * MAX_ATTEMPTS the error reaches the caller (409).
   */
  async run<T>(actor: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runOnce(actor, work);
      } catch (error) {
        if (!(error instanceof ConcurrentModificationError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  private async runOnce<T>(actor: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    // May run again from scratch if a group commit has to be redone alone: a fresh unit each time.
    const attempt = async (em: EntityManager): Promise<Attempt<T>> => {
      const uow = new UnitOfWork(em, this.clock.now(), actor);
      return { value: await work(uow), uow };
    };
    const { value, uow } = this.serial
      ? await this.serial.write(attempt)
      : await this.dataSource.transaction(async (em) => {
          const done = await attempt(em);
          await this.appendOutbox(em, done.uow.events);
          return done;
        });
    this.bus.publish(uow.events);
    return value;
  }

  /** Runs read-only work on committed data, outside any transaction. */
  read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return work(this.reads.manager);
  }

  /** PostgreSQL: the audit rows as the outbox, with a wake-up for the other instances' readers. */
  private async appendOutbox(em: EntityManager, events: DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.appendAudit(em, events, (event) => ({
      origin: this.instance.id,
      payload: encodeEvent(event),
    }));
    await wakeEventReaders(em, this.instance.id);
  }

  /** The rows carry the event itself (payload) on every database: the event stream replays it. */
  private async appendAudit(
    em: EntityManager,
    events: DomainEvent[],
    outbox: (event: DomainEvent) => { origin: string; payload: string } | { payload: string } = (
      event,
    ) => ({ payload: encodeEvent(event) }),
  ): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((event) => {
      const { aggregate, id } = aggregateOf(event);
      return {
        at: event.at,
        actor: event.actor,
        type: event.type,
        aggregate,
        aggregateId: id,
        before: event.before,
        after: event.after,
        reason: event.reason,
        ...outbox(event),
      } as Partial<AuditEventEntity>;
    });
    // SQLite allows 999 bound parameters per statement: 9 columns per row (10 with the origin).
    for (let i = 0; i < rows.length; i += 100) {
      await insertRows(em, AuditEventEntity, rows.slice(i, i + 100));
    }
  }
}
