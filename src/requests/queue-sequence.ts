import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { UnitOfWork } from '../database/unit-of-work';
import { RequestRepository } from './request.repository';

/**
 * Queue positions for FIFO within a priority. SQLite (one instance): microseconds of the clock,
 * strictly increasing in this process and never below what the database already holds (so a
 * restart, or a clock set back, never puts new requests ahead of old ones); no query per
 * request. PostgreSQL: a database sequence all instances share, so the order is the order in
 * which the instances asked, whatever their clocks say.
 */
@Injectable()
export class QueueSequence implements OnModuleInit {
  private last = 0;

  constructor(
    private readonly tx: Transactions,
    private readonly config: AppConfig,
    private readonly repository: RequestRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const max = await this.tx.read((em) => this.repository.maxQueueSeq(em));
    this.last = Math.max(this.last, max);
  }

  async next(uow: UnitOfWork): Promise<number> {
    if (this.config.database.kind === 'postgres') {
      const [{ value }] = await uow.em.query<Array<{ value: string | number }>>(
        `SELECT nextval('requests_queue_seq') AS value`,
      );
      return Number(value);
    }
    this.last = Math.max(this.last + 1, uow.now.getTime() * 1000);
    return this.last;
  }
}
