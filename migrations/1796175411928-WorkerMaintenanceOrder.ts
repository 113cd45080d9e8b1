import { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from '../src/database/driver-statements';

/**
 * workers.maintenance: the admin's maintenance order (JSON: message shown on the board's
 * display, drain, who, when); null when the worker is in service or no admin ordered it.
 */
export class WorkerMaintenanceOrder1796175411928 implements MigrationInterface {
  name = 'WorkerMaintenanceOrder1796175411928';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [`ALTER TABLE "workers" ADD COLUMN "maintenance" text`],
      postgres: [`ALTER TABLE "workers" ADD "maintenance" text`],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [`ALTER TABLE "workers" DROP COLUMN "maintenance"`],
      postgres: [`ALTER TABLE "workers" DROP COLUMN "maintenance"`],
    });
  }
}
