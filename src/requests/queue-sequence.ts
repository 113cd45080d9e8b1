import { Injectable, OnModuleInit } from '@nestjs/common';
import { Transactions } from '../database/transactions.service';
import { RequestEntity } from './request.entity';

/**
 * Queue positions for FIFO within a priority: microseconds of the clock, strictly increasing in
 * this process and never below what the database already holds (so a restart, or a clock set
 * back, never puts new requests ahead of old ones). Needs no query per request.
 */
@Injectable()
export class QueueSequence implements OnModuleInit {
  private last = 0;

  constructor(private readonly tx: Transactions) {}

  async onModuleInit(): Promise<void> {
    const row = await this.tx.read((em) =>
      em
        .createQueryBuilder(RequestEntity, 'r')
        .select('MAX(r.queue_seq)', 'max')
        .getRawOne<{ max: string | number | null }>(),
    );
    this.last = Math.max(this.last, Number(row?.max ?? 0));
  }

  next(now: Date): number {
    this.last = Math.max(this.last + 1, now.getTime() * 1000);
    return this.last;
  }
}
