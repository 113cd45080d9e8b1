import { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from '../src/database/driver-statements';

/**
 * Dashboard sessions: the browser's cookie holds a random session id, the table only its
 * SHA-256, the token the session was opened with (revoking or expiring that token ends the
 * session) and when the session expires.
 */
export class DashboardSessions1796175333065 implements MigrationInterface {
  name = 'DashboardSessions1796175333065';

  async up(queryRunner: QueryRunner): Promise<void> {
    const expiry = `CREATE INDEX "IDX_sessions_expires" ON "sessions" ("expires_at")`;
    await runForDriver(queryRunner, {
      sqlite: [
        `CREATE TABLE "sessions" (
          "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
          "secret_hash" varchar(64) NOT NULL,
          "token_id" integer NOT NULL,
          "created_at" bigint NOT NULL,
          "expires_at" bigint NOT NULL,
          CONSTRAINT "UQ_sessions_secret_hash" UNIQUE ("secret_hash")
          )`,
        expiry,
      ],
      postgres: [
        `CREATE TABLE "sessions" (
          "id" SERIAL NOT NULL,
          "secret_hash" character varying(64) NOT NULL,
          "token_id" integer NOT NULL,
          "created_at" bigint NOT NULL,
          "expires_at" bigint NOT NULL,
          CONSTRAINT "UQ_sessions_secret_hash" UNIQUE ("secret_hash"),
          CONSTRAINT "PK_sessions" PRIMARY KEY ("id")
          )`,
        expiry,
      ],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [`DROP INDEX "IDX_sessions_expires"`, `DROP TABLE "sessions"`],
      postgres: [`DROP INDEX "public"."IDX_sessions_expires"`, `DROP TABLE "sessions"`],
    });
  }
}
