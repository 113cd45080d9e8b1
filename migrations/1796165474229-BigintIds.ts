import { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from '../src/database/driver-statements';

/**
 * Request ids (and the audit ids, which grow fastest) become 64-bit on PostgreSQL, where SERIAL
 * made them int4: an id at or above 2^31 could neither be issued nor looked up. SQLite integers
 * are 64-bit already.
 */
export class BigintIds1796165474229 implements MigrationInterface {
  name = 'BigintIds1796165474229';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [],
      postgres: [
        `ALTER TABLE "requests" ALTER COLUMN "id" TYPE bigint`,
        `ALTER SEQUENCE "requests_id_seq" AS bigint`,
        `ALTER TABLE "jobs" ALTER COLUMN "request_id" TYPE bigint`,
        `ALTER TABLE "audit_events" ALTER COLUMN "id" TYPE bigint`,
        `ALTER SEQUENCE "audit_events_id_seq" AS bigint`,
      ],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [],
      postgres: [
        `ALTER SEQUENCE "audit_events_id_seq" AS integer`,
        `ALTER TABLE "audit_events" ALTER COLUMN "id" TYPE integer`,
        `ALTER TABLE "jobs" ALTER COLUMN "request_id" TYPE integer`,
        `ALTER SEQUENCE "requests_id_seq" AS integer`,
        `ALTER TABLE "requests" ALTER COLUMN "id" TYPE integer`,
      ],
    });
  }
}
