import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Clock } from '../common/clock';
import { aggregateOf, DomainEvent } from '../events/domain-event';
import { DomainEventBus } from '../events/domain-event-bus';
import { AuditEventEntity } from '../events/audit-event.entity';
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
 * indexes arbitrate between concurrent transactions, of this and other server instances.
 */
/** What one unit of work produced: its value, and its events to audit and publish. */
interface Attempt<T> {
  value: T;
  uow: UnitOfWork;
}

@Injectable()
export class Transactions {
  private readonly serial: SqliteSerialExecutor | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly bus: DomainEventBus,
    private readonly reads: ReadConnection,
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

  /** Runs `work` in a transaction as `actor`; publishes its events after commit. */
  async run<T>(actor: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    // May run again from scratch if a group commit has to be redone alone: a fresh unit each time.
    const attempt = async (em: EntityManager): Promise<Attempt<T>> => {
      const uow = new UnitOfWork(em, this.clock.now(), actor);
      return { value: await work(uow), uow };
    };
    const { value, uow } = this.serial
      ? await this.serial.write(attempt)
      : await this.dataSource.transaction(async (em) => {
          const done = await attempt(em);
          await this.appendAudit(em, done.uow.events);
          return done;
        });
    this.bus.publish(uow.events);
    return value;
  }

  /** Runs read-only work on committed data, outside any transaction. */
  read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return work(this.reads.manager);
  }

  private async appendAudit(em: EntityManager, events: DomainEvent[]): Promise<void> {
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
      } as QueryDeepPartialEntity<AuditEventEntity>;
    });
    // SQLite allows 999 bound parameters per statement: 8 columns per row.
    for (let i = 0; i < rows.length; i += 100) {
      await em.insert(AuditEventEntity, rows.slice(i, i + 100));
    }
  }
}
