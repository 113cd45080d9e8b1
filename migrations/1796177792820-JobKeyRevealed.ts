import { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from '../src/database/driver-statements';

/**
 * jobs.key_revealed: whether the job's private key was ever handed out (acquire). A key never
 * handed out (the tester used their own) prepares the same board again instead of a freshly
 * generated one. Jobs from before this migration count as revealed.
 */
export class JobKeyRevealed1796177792820 implements MigrationInterface {
  name = 'JobKeyRevealed1796177792820';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [`ALTER TABLE "jobs" ADD COLUMN "key_revealed" boolean NOT NULL DEFAULT (1)`],
      postgres: [`ALTER TABLE "jobs" ADD "key_revealed" boolean NOT NULL DEFAULT true`],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [`ALTER TABLE "jobs" DROP COLUMN "key_revealed"`],
      postgres: [`ALTER TABLE "jobs" DROP COLUMN "key_revealed"`],
    });
  }
}
