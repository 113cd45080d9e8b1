import { statSync } from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { WalCheckpointer } from '../src/database/wal-checkpointer';
import { requestInput } from './factories/request.factory';
import { startTestAppPerSuite, TestApp } from './support/test-app';

describe('SQLite WAL checkpoints', () => {
  let t: TestApp;
  startTestAppPerSuite((app) => (t = app), { sqliteOnly: true });

  const walBytes = () => statSync(path.join(t.config.dataDir, 'leshy.sqlite-wal')).size;
  const writeBatch = () =>
    Promise.all(Array.from({ length: 300 }, () => t.requests.create(requestInput(), 'user:test')));

  it('are never done by the connection that commits', async () => {
    const [setting] = await t.app.get(DataSource).query('PRAGMA wal_autocheckpoint');
    expect(setting).toEqual({ wal_autocheckpoint: 0 });
  });

  it('are done by the checkpointer, so the WAL is reused instead of growing', async () => {
    const checkpointer = t.app.get(WalCheckpointer);
    await writeBatch();
    await checkpointer.checkpoint();
    const afterOneBatch = walBytes();
    for (let i = 0; i < 4; i++) {
      await writeBatch();
      await checkpointer.checkpoint();
    }
    // Without checkpoints the WAL would hold all five batches: about five times as much.
    expect(walBytes()).toBeLessThan(afterOneBatch * 2);
    const page = await t.requests.list(
      {},
      { item: 'id', order: 'asc' },
      { direction: 'forward', limit: 1 },
    );
    expect(page.total).toBe(1500);
  });
});
