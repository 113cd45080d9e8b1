import { MigrationInterface, QueryRunner } from 'typeorm';
import { runForDriver } from '../src/database/driver-statements';

/**
 * PostgreSQL: queue positions come from one database sequence, shared by every instance, so
 * FIFO within a priority holds across instances whatever their clocks say. It starts above
 * every position already given (positions were microseconds of the clock). SQLite keeps
 * the in-process clock-based positions (one instance).
 */
export class SharedQueueSequence1796166904127 implements MigrationInterface {
  name = 'SharedQueueSequence1796166904127';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [],
      postgres: [
        `CREATE SEQUENCE "requests_queue_seq" AS bigint`,
        `SELECT setval('requests_queue_seq', GREATEST(
           COALESCE((SELECT MAX("queue_seq") FROM "requests"), 0),
           (extract(epoch FROM clock_timestamp()) * 1000000)::bigint))`,
      ],
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await runForDriver(queryRunner, {
      sqlite: [],
      postgres: [`DROP SEQUENCE "requests_queue_seq"`],
    });
  }
}
