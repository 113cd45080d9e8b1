import { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from '../src/database/driver-statements';

/**
 * jobs.idle_at: when a job with no tester activity ends (LESHY_IDLE_JOB_TIMEOUT); null = no
 * inactivity timeout. Indexed like timeout_at, for the timekeeper's sweep of running jobs.
 */
export class JobIdleDeadline1796170303332 implements MigrationInterface {
  name = 'JobIdleDeadline1796170303332';

  async up(queryRunner: QueryRunner): Promise<void> {
    const index = `CREATE INDEX "IDX_jobs_active_idle" ON "jobs" ("ended_at", "idle_at")`;
    await runForDriver(queryRunner, {
      sqlite: [`ALTER TABLE "jobs" ADD COLUMN "idle_at" bigint`, index],
      postgres: [`ALTER TABLE "jobs" ADD "idle_at" bigint`, index],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [`DROP INDEX "IDX_jobs_active_idle"`, `ALTER TABLE "jobs" DROP COLUMN "idle_at"`],
      postgres: [`DROP INDEX "IDX_jobs_active_idle"`, `ALTER TABLE "jobs" DROP COLUMN "idle_at"`],
    });
  }
}
