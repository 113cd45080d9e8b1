import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { BoardClass } from './board-class';
import { CollectionErrorsCollector } from './collection-errors.collector';
import { countWaitingByCap, countWorkersByStateAndCap } from './lab-census.query';

/**
 * `leshy_queue_depth{board_class}`: WAITING requests by the board class they ask for, counted
 * by the database on each scrape. Testers choose cap values freely, so only the classes of
 * registered workers are labels of their own (each exposed, zero when nothing waits for it);
 * a request for any other value counts as `(other)`, one for no class as `(any)`.
 */
@Injectable()
export class QueueDepthCollector {
  constructor(
    registry: Registry,
    tx: Transactions,
    config: AppConfig,
    errors: CollectionErrorsCollector,
  ) {
    const key = config.boardClassCap;
    const guard = errors.guardFor('queue_depth');
    new Gauge({
      name: 'leshy_queue_depth',
      help: `WAITING requests by the board class they ask for (cap "${key}")`,
      labelNames: ['board_class'],
      registers: [registry],
      async collect() {
        this.reset();
        await guard(async () => {
          const [waiting, workers] = await tx.read((em) =>
            Promise.all([countWaitingByCap(em, key), countWorkersByStateAndCap(em, key)]),
          );
          const known = new Set(workers.flatMap((w) => (w.value === null ? [] : [w.value])));
          const depth = new Map<string, number>([
            [BoardClass.Any, 0],
            [BoardClass.Other, 0],
            ...[...known].map((c): [string, number] => [c, 0]),
          ]);
          for (const row of waiting) {
            const label =
              row.value === null
                ? BoardClass.Any
                : known.has(row.value)
                  ? row.value
                  : BoardClass.Other;
            depth.set(label, depth.get(label)! + row.count);
          }
          for (const [board_class, count] of depth) this.set({ board_class }, count);
        });
      },
    });
  }
}
