import { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from '../src/database/driver-statements';

/**
 * requests.unservable_note: why no registered worker can serve a WAITING request (caps no
 * worker has, groups no worker is in); null when some worker can, or nobody checked.
 */
export class RequestUnservableNote1796166142823 implements MigrationInterface {
  name = 'RequestUnservableNote1796166142823';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [`ALTER TABLE "requests" ADD COLUMN "unservable_note" text`],
      postgres: [`ALTER TABLE "requests" ADD "unservable_note" text`],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [`ALTER TABLE "requests" DROP COLUMN "unservable_note"`],
      postgres: [`ALTER TABLE "requests" DROP COLUMN "unservable_note"`],
    });
  }
}
