import { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from '../src/database/driver-statements';

const ENDING_COLUMNS = [
  ['ended_how', 'varchar(32)'],
  ['ended_reason', 'text'],
  ['ended_by', 'varchar(255)'],
  ['ended_at', 'bigint'],
  ['public_key', 'text'],
] as const;

const IDEMPOTENCY_KEYS = `CREATE TABLE "idempotency_keys" (
  "owner" varchar(255) NOT NULL,
  "key" varchar(255) NOT NULL,
  "fingerprint" varchar(64) NOT NULL,
  "request_id" bigint NOT NULL,
  "created_at" bigint NOT NULL,
  PRIMARY KEY ("owner", "key")
)`;
const IDEMPOTENCY_AGE = `CREATE INDEX "IDX_idempotency_keys_created" ON "idempotency_keys" ("created_at")`;

/**
 * API v2's requests: how a finished request ended (ended_how/reason/by/at, written with its
 * terminal state), the tester's own public key, and the Idempotency-Key of creates (one row
 * per owner and key; the primary key makes two concurrent creates with one key one request).
 */
export class RequestsV21796175350980 implements MigrationInterface {
  name = 'RequestsV21796175350980';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [
        ...ENDING_COLUMNS.map(([c, t]) => `ALTER TABLE "requests" ADD COLUMN "${c}" ${t}`),
        IDEMPOTENCY_KEYS,
        IDEMPOTENCY_AGE,
      ],
      postgres: [
        ...ENDING_COLUMNS.map(([c, t]) => `ALTER TABLE "requests" ADD "${c}" ${t}`),
        IDEMPOTENCY_KEYS,
        IDEMPOTENCY_AGE,
      ],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const drops = [
      `DROP INDEX "IDX_idempotency_keys_created"`,
      `DROP TABLE "idempotency_keys"`,
      ...ENDING_COLUMNS.map(([c]) => `ALTER TABLE "requests" DROP COLUMN "${c}"`),
    ];
    await runForDriver(queryRunner, { sqlite: drops, postgres: drops });
  }
}
