import { Logger } from '@nestjs/common';
import { TypeOrmNestLogger } from './typeorm-logger';

describe('TypeOrmNestLogger', () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs a failed query with its SQL, never its parameters', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    new TypeOrmNestLogger().logQueryError(
      new Error('UNIQUE constraint failed: tokens.hash'),
      'INSERT INTO "tokens"("hash") VALUES (?)',
      ['secret-token-hash'],
    );
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0][0]);
    expect(line).toBe(
      'query failed: UNIQUE constraint failed: tokens.hash [INSERT INTO "tokens"("hash") VALUES (?)]',
    );
    expect(line).not.toContain('secret-token-hash');
  });

  it('shortens a long statement', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    new TypeOrmNestLogger().logQuerySlow(1200, `SELECT ${'x, '.repeat(500)}1`);
    expect(String(warn.mock.calls[0][0]).length).toBeLessThan(360);
  });

  it("passes TypeORM's own warnings on as warnings", () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    new TypeOrmNestLogger().log('warn', 'Postgres pool raised an error. error: terminating');
    expect(warn).toHaveBeenCalledWith('Postgres pool raised an error. error: terminating');
  });
});
