import { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from '../src/database/driver-statements';

/**
 * jobs.expiry_warned_for: the timeout a job.expiring warning was sent for (null: none yet).
 * A prolong moves timeout_at, so the job is warned again before its new timeout; a restart
 * finds in the table which jobs are still to be warned.
 */
export class JobExpiryWarning1796176404457 implements MigrationInterface {
  name = 'JobExpiryWarning1796176404457';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [`ALTER TABLE "jobs" ADD COLUMN "expiry_warned_for" bigint`],
      postgres: [`ALTER TABLE "jobs" ADD "expiry_warned_for" bigint`],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [`ALTER TABLE "jobs" DROP COLUMN "expiry_warned_for"`],
      postgres: [`ALTER TABLE "jobs" DROP COLUMN "expiry_warned_for"`],
    });
  }
}
