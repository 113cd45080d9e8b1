import { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from '../src/database/driver-statements';

/**
 * UUIDs an admin deregistered: their agents' registrations are refused (410) until an admin
 * admits the board again, so a deregistration sticks while the agent still runs.
 */
export class DeregisteredWorkers1796164819329 implements MigrationInterface {
  name = 'DeregisteredWorkers1796164819329';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [
        `CREATE TABLE "deregistered_workers" (
          "uuid" varchar(36) PRIMARY KEY NOT NULL,
          "deregistered_at" bigint NOT NULL,
          "deregistered_by" varchar(255) NOT NULL,
          "admitted_at" bigint,
          "admitted_by" varchar(255)
          )`,
      ],
      postgres: [
        `CREATE TABLE "deregistered_workers" (
          "uuid" character varying(36) NOT NULL,
          "deregistered_at" bigint NOT NULL,
          "deregistered_by" character varying(255) NOT NULL,
          "admitted_at" bigint,
          "admitted_by" character varying(255),
          CONSTRAINT "PK_deregistered_workers" PRIMARY KEY ("uuid")
          )`,
      ],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [`DROP TABLE "deregistered_workers"`],
      postgres: [`DROP TABLE "deregistered_workers"`],
    });
  }
}
