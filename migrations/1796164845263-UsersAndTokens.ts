import { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from '../src/database/driver-statements';

/**
 * Identities: users (testers and admins) and their tokens, agent tokens bound to a worker,
 * and requests that may use a worker of any group (filed by an admin).
 */
export class UsersAndTokens1796164845263 implements MigrationInterface {
  name = 'UsersAndTokens1796164845263';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [
        `CREATE TABLE "users" (
          "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
          "name" varchar(64) NOT NULL,
          "role" varchar(16) NOT NULL,
          "groups" text NOT NULL,
          "best_priority" integer NOT NULL,
          "created_at" bigint NOT NULL,
          "updated_at" bigint NOT NULL,
          CONSTRAINT "UQ_users_name" UNIQUE ("name")
          )`,
        `CREATE TABLE "tokens" (
          "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
          "kind" varchar(16) NOT NULL,
          "user_id" integer,
          "worker_uuid" varchar(36),
          "label" varchar(255) NOT NULL,
          "secret_hash" varchar(64) NOT NULL,
          "created_at" bigint NOT NULL,
          "expires_at" bigint,
          "last_used_at" bigint,
          "revoked_at" bigint,
          CONSTRAINT "UQ_tokens_secret_hash" UNIQUE ("secret_hash")
          )`,
        `CREATE INDEX "IDX_tokens_user" ON "tokens" ("user_id")`,
        `CREATE UNIQUE INDEX "IDX_tokens_one_live_per_worker" ON "tokens" ("worker_uuid")
          WHERE revoked_at IS NULL`,
        `ALTER TABLE "requests" ADD COLUMN "any_group" boolean NOT NULL DEFAULT (0)`,
      ],
      postgres: [
        `CREATE TABLE "users" (
          "id" SERIAL NOT NULL,
          "name" character varying(64) NOT NULL,
          "role" character varying(16) NOT NULL,
          "groups" text NOT NULL,
          "best_priority" integer NOT NULL,
          "created_at" bigint NOT NULL,
          "updated_at" bigint NOT NULL,
          CONSTRAINT "UQ_users_name" UNIQUE ("name"),
          CONSTRAINT "PK_users" PRIMARY KEY ("id")
          )`,
        `CREATE TABLE "tokens" (
          "id" SERIAL NOT NULL,
          "kind" character varying(16) NOT NULL,
          "user_id" integer,
          "worker_uuid" character varying(36),
          "label" character varying(255) NOT NULL,
          "secret_hash" character varying(64) NOT NULL,
          "created_at" bigint NOT NULL,
          "expires_at" bigint,
          "last_used_at" bigint,
          "revoked_at" bigint,
          CONSTRAINT "UQ_tokens_secret_hash" UNIQUE ("secret_hash"),
          CONSTRAINT "PK_tokens" PRIMARY KEY ("id")
          )`,
        `CREATE INDEX "IDX_tokens_user" ON "tokens" ("user_id")`,
        `CREATE UNIQUE INDEX "IDX_tokens_one_live_per_worker" ON "tokens" ("worker_uuid")
          WHERE revoked_at IS NULL`,
        `ALTER TABLE "requests" ADD "any_group" boolean NOT NULL DEFAULT false`,
      ],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [
        `ALTER TABLE "requests" DROP COLUMN "any_group"`,
        `DROP INDEX "IDX_tokens_one_live_per_worker"`,
        `DROP INDEX "IDX_tokens_user"`,
        `DROP TABLE "tokens"`,
        `DROP TABLE "users"`,
      ],
      postgres: [
        `ALTER TABLE "requests" DROP COLUMN "any_group"`,
        `DROP INDEX "public"."IDX_tokens_one_live_per_worker"`,
        `DROP INDEX "public"."IDX_tokens_user"`,
        `DROP TABLE "tokens"`,
        `DROP TABLE "users"`,
      ],
    });
  }
}
