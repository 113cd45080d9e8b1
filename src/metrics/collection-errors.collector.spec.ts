import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { CollectionErrorsCollector } from './collection-errors.collector';

describe('CollectionErrorsCollector', () => {
  it('counts and logs a failing collector instead of failing the scrape', async () => {
    const registry = new Registry();
    const errors = new CollectionErrorsCollector(registry);
    const guard = errors.guardFor('requests');
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await expect(
        guard(() => Promise.reject(new Error('SQLITE_BUSY: database is locked'))),
      ).resolves.toBeUndefined();
      await guard(() => Promise.resolve());
      expect(warn).toHaveBeenCalledWith(
        'metrics collector requests failed: SQLITE_BUSY: database is locked',
      );
    } finally {
      warn.mockRestore();
    }
    const text = await registry.metrics();
    expect(text).toContain('leshy_metrics_collection_errors_total{collector="requests"} 1');
  });
});
