import { Injectable, Logger } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/**
 * Scrapes keep working when the database does not answer: a gauge whose query fails is left
 * empty for that scrape (no value rather than a stale one), the failure is counted here and
 * logged, and every other metric is still exposed.
 */
@Injectable()
export class CollectionErrorsCollector {
  private readonly logger = new Logger(CollectionErrorsCollector.name);
  private readonly errors: Counter<'collector'>;

  constructor(registry: Registry) {
    this.errors = new Counter({
      name: 'leshy_metrics_collection_errors_total',
      help: 'Scrapes in which a collector could not read its values (e.g. the database was down)',
      labelNames: ['collector'],
      registers: [registry],
    });
  }

  /**
   * The guard of one collector: runs its `collect`, and on failure counts and logs it instead
   * of failing the whole scrape. The collector's series exists (at 0) from the start.
   */
  guardFor(collector: string): (collect: () => Promise<void>) => Promise<void> {
    this.errors.inc({ collector }, 0);
    return async (collect) => {
      try {
        await collect();
      } catch (error) {
        this.errors.inc({ collector });
        this.logger.warn(
          `metrics collector ${collector} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    };
  }
}
