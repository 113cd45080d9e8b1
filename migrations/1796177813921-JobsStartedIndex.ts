import { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from '../src/database/driver-statements';

/**
 * jobs.started_at indexed: the board-class statistics read the jobs of the last day (started or
 * ended since), and the jobs table keeps every job ever; ended_at is already the head of
 * IDX_jobs_active_timeout.
 */
export class JobsStartedIndex1796177813921 implements MigrationInterface {
  name = 'JobsStartedIndex1796177813921';

  async up(queryRunner: QueryRunner): Promise<void> {
    const index = `CREATE INDEX "IDX_jobs_started" ON "jobs" ("started_at")`;
    await runForDriver(queryRunner, { sqlite: [index], postgres: [index] });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [`DROP INDEX "IDX_jobs_started"`],
      postgres: [`DROP INDEX "public"."IDX_jobs_started"`],
    });
  }
}
