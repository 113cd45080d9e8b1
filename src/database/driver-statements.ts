import { QueryRunner } from 'typeorm';

/** SQL of one migration step for each supported driver (TypeORM generates driver-specific SQL). */
export interface DriverStatements {
  sqlite: string[];
  postgres: string[];
}

export async function runForDriver(
  queryRunner: QueryRunner,
  statements: DriverStatements,
): Promise<void> {
  const type = queryRunner.connection.options.type;
  const list =
    type === 'postgres' ? statements.postgres : type === 'sqlite' ? statements.sqlite : null;
  if (!list) throw new Error(`migrations support sqlite and postgres, not ${type}`);
  for (const sql of list) await queryRunner.query(sql);
}
