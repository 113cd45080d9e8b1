import { TESTER, ADMIN } from './support/actors';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { WalCheckpointer } from '../src/database/wal-checkpointer';
import { requestInput } from './factories/request.factory';
import { workerRegistration } from './factories/worker.factory';
import { startTestAppPerSuite, TestApp } from './support/test-app';
import { AGENT } from './support/actors';

describe('SQLite WAL checkpoints', () => {
  let t: TestApp;
  startTestAppPerSuite((app) => (t = app), { sqliteOnly: true });

  const walBytes = () => statSync(path.join(t.config.dataDir, 'leshy.sqlite-wal')).size;
  const writeBatch = () =>
    Promise.all(Array.from({ length: 300 }, () => t.requests.create(requestInput(), TESTER)));

  it('are never done by the connection that commits', async () => {
    const [setting] = await t.app.get(DataSource).query('PRAGMA wal_autocheckpoint');
    expect(setting).toEqual({ wal_autocheckpoint: 0 });
  });

  it('are done by the checkpointer, so the WAL is reused instead of growing', async () => {
    const checkpointer = t.app.get(WalCheckpointer);
    // A registered (MAINTENANCE) worker that could serve them: without one, every request also
    // gets an unservable note written after its create, which this suite is not about.
    await t.workers.register(workerRegistration({ caps: { board: 'rpi4' } }), AGENT);
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
      ADMIN,
    );
    expect(page.total).toBe(1500);
  });
});
