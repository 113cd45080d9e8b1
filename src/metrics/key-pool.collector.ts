import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { AppConfig } from '../config/app-config';
import { JobKeyPool } from '../keys/job-key-pool.service';

/**
 * The job key pool, read on each scrape: `leshy_job_key_pool_ready` against
 * `leshy_job_key_pool_target` (LESHY_KEY_POOL) shows whether prepares are about to wait for key
 * generation; `leshy_job_key_generator_threads` at 0 means they will fail instead.
 */
@Injectable()
export class KeyPoolCollector {
  constructor(registry: Registry, pool: JobKeyPool, config: AppConfig) {
    new Gauge({
      name: 'leshy_job_key_pool_ready',
      help: 'Job key pairs generated and ready to hand out',
      registers: [registry],
      collect() {
        this.set(pool.stats().ready);
      },
    });
    new Gauge({
      name: 'leshy_job_key_pool_target',
      help: 'Job key pairs the pool keeps ready (LESHY_KEY_POOL)',
      registers: [registry],
    }).set(config.keyPoolSize);
    new Gauge({
      name: 'leshy_job_key_generator_threads',
      help: 'Job key generator threads alive',
      registers: [registry],
      collect() {
        this.set(pool.stats().threads);
      },
    });
  }
}
