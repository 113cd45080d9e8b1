import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { WORKER_STATES } from '../workers/worker-state';
import { BoardClass } from './board-class';
import { CollectionErrorsCollector } from './collection-errors.collector';
import { countWorkersByStateAndCap } from './lab-census.query';

/**
 * `leshy_workers{state, board_class}`, counted by the database on each scrape (one grouped
 * query), for the same reasons as leshy_requests. Every state of every class present is
 * exposed, zeros included.
 */
@Injectable()
export class WorkerStatesCollector {
  constructor(
    registry: Registry,
    tx: Transactions,
    config: AppConfig,
    errors: CollectionErrorsCollector,
  ) {
    const key = config.boardClassCap;
    const guard = errors.guardFor('workers');
    new Gauge({
      name: 'leshy_workers',
      help: `Registered workers by state and board class (cap "${key}")`,
      labelNames: ['state', 'board_class'],
      registers: [registry],
      async collect() {
        this.reset();
        await guard(async () => {
          const rows = await tx.read((em) => countWorkersByStateAndCap(em, key));
          const classOf = (value: string | null) => value ?? BoardClass.None;
          for (const board_class of new Set(rows.map((r) => classOf(r.value))))
            for (const state of WORKER_STATES) this.set({ state, board_class }, 0);
          for (const row of rows)
            this.inc({ state: row.state, board_class: classOf(row.value) }, row.count);
        });
      },
    });
  }
}
