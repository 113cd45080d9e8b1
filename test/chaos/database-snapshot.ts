import sqlite3 from 'sqlite3';
import { DataSource } from 'typeorm';
import { ENTITIES } from '../../src/database/entities';
import { AuditEventEntity } from '../../src/events/audit-event.entity';
import { JobEntity } from '../../src/jobs/job.entity';
import { findViolations } from '../support/invariants';
import type { AuditRow, JobRow } from './checks';
import type { ChaosDatabase } from './cluster';

/** What the database holds after a chaos run, read without writing (SQLite opened read-only). */
export interface DatabaseSnapshot {
  jobs: JobRow[];
  audit: AuditRow[];
  /** Cross-table consistency (test/support/invariants.ts): states, jobs, audit trail, matching. */
  inconsistencies: string[];
}

export async function readDatabase(database: ChaosDatabase, now: Date): Promise<DatabaseSnapshot> {
  const dataSource = new DataSource(
    database.kind === 'sqlite'
      ? {
          type: 'sqlite',
          database: database.file,
          flags: sqlite3.OPEN_READONLY,
          entities: ENTITIES,
          busyTimeout: 5_000,
        }
      : { type: 'postgres', url: database.url, entities: ENTITIES },
  );
  await dataSource.initialize();
  try {
    const jobs = await dataSource.getRepository(JobEntity).find();
    const audit = await dataSource
      .getRepository(AuditEventEntity)
      .find({ where: [{ type: 'job.started' }, { type: 'job.ended' }] });
    return {
      jobs: jobs.map((j) => ({ ...j, requestId: Number(j.requestId) })),
      audit: audit.map((a) => ({
        id: Number(a.id),
        type: a.type,
        aggregateId: a.aggregateId,
        after: a.after,
      })),
      inconsistencies: await findViolations(dataSource, now),
    };
  } finally {
    await dataSource.destroy();
  }
}
