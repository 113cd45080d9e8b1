import type { Environment } from '../../src/config/load-config';
import { scratchPostgres } from './scratch-postgres';
import { startTestApp, TestApp, TestAppOptions } from './test-app';
import { tempDir } from './temp-dir';

/** What a suite's instances share, besides the database. */
const CLUSTER_SECRET = 'shared-secret-of-the-cluster';

export interface Instances {
  apps: TestApp[];
  database: { url: string };
}

/**
 * `count` instances of the server in-process on one scratch PostgreSQL database, for a whole
 * suite: started in beforeAll one after the other (so only the first runs the migrations),
 * each with its own data dir, the database's URL, one shared secret and `env`; `each` adds an
 * instance's own options (its clock, HTTP). afterAll closes them in reverse order and drops
 * the database.
 */
export function instancesOnPostgres(
  count: number,
  options: { env?: Environment; each?: (index: number) => Omit<TestAppOptions, 'dataDir' | 'env'> },
  started: (instances: Instances) => void,
): void {
  const dirs = Array.from({ length: count }, () => tempDir());
  const apps: TestApp[] = [];
  let database: Awaited<ReturnType<typeof scratchPostgres>> | undefined;
  beforeAll(async () => {
    database = await scratchPostgres();
    const env = { LESHY_DATABASE_URL: database.url, LESHY_SECRET: CLUSTER_SECRET, ...options.env };
    for (const [index, dir] of dirs.entries())
      apps.push(await startTestApp({ ...options.each?.(index), dataDir: dir.path, env }));
    started({ apps, database });
  });
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    apps.length = 0;
    await database?.drop();
    for (const dir of dirs) dir.remove();
  });
}
