import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { Transactions } from '../database/transactions.service';
import { REQUEST_STATES } from '../requests/request-state';
import { CollectionErrorsCollector } from './collection-errors.collector';
import { countRequestsByStateAndPriority } from './lab-census.query';

const PRIORITIES = Array.from({ length: 16 }, (_, i) => i + 1);

/**
 * `leshy_requests{state, priority}`, counted by the database on each scrape (one grouped query)
 * rather than kept from events: the database is the arbiter, so the figure is right after a
 * restart and the same on every server instance sharing a PostgreSQL database. Every state and
 * priority is exposed, zeros included, so an alert on a series never finds it missing.
 */
@Injectable()
export class RequestStatesCollector {
  constructor(registry: Registry, tx: Transactions, errors: CollectionErrorsCollector) {
    const guard = errors.guardFor('requests');
    new Gauge({
      name: 'leshy_requests',
      help: 'Requests in the database by state and priority (1 highest … 16 lowest)',
      labelNames: ['state', 'priority'],
      registers: [registry],
      async collect() {
        this.reset();
        await guard(async () => {
          const rows = await tx.read((em) => countRequestsByStateAndPriority(em));
          for (const state of REQUEST_STATES)
            for (const priority of PRIORITIES) this.set({ state, priority }, 0);
          for (const row of rows) this.set({ state: row.state, priority: row.priority }, row.count);
        });
      },
    });
  }
}
