import { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from '../src/database/driver-statements';

/**
 * The audit table becomes the outbox of the events that other server instances read
 * (PostgreSQL): which instance wrote a row, and the event itself as that instance published it.
 * Both stay NULL on SQLite, where one instance is the only reader.
 */
export class AuditOutbox1796164754791 implements MigrationInterface {
  name = 'AuditOutbox1796164754791';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [
        `ALTER TABLE "audit_events" ADD COLUMN "origin" varchar(64)`,
        `ALTER TABLE "audit_events" ADD COLUMN "payload" text`,
      ],
      postgres: [
        `ALTER TABLE "audit_events" ADD COLUMN "origin" character varying(64), ADD COLUMN "payload" text`,
      ],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [
        `ALTER TABLE "audit_events" DROP COLUMN "payload"`,
        `ALTER TABLE "audit_events" DROP COLUMN "origin"`,
      ],
      postgres: [`ALTER TABLE "audit_events" DROP COLUMN "payload", DROP COLUMN "origin"`],
    });
  }
}
