import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Clock } from '../common/clock';
import { aggregateOf } from '../events/domain-event';
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
@Injectable()
export class Transactions {
  private readonly serial: SqliteSerialExecutor | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly bus: DomainEventBus,
    private readonly reads: ReadConnection,
  ) {
    this.serial =
      dataSource.options.type === 'sqlite' ? new SqliteSerialExecutor(dataSource) : null;
  }

  /** Runs `work` in a transaction as `actor`; publishes its events after commit. */
  async run<T>(actor: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    let uow!: UnitOfWork;
    // Runs again from scratch if a group commit has to be redone alone: a fresh unit each time.
    const attempt = async (em: EntityManager) => {
      uow = new UnitOfWork(em, this.clock.now(), actor);
      const value = await work(uow);
      await this.appendAudit(em, uow);
      return value;
    };
    const result = this.serial
      ? await this.serial.write(attempt)
      : await this.dataSource.transaction((em) => attempt(em));
    this.bus.publish(uow.events);
    return result;
  }

  /** Runs read-only work on committed data, outside any transaction. */
  read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return work(this.reads.manager);
  }

  private async appendAudit(em: EntityManager, uow: UnitOfWork): Promise<void> {
    if (uow.events.length === 0) return;
    const rows = uow.events.map((event) => {
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
