import { Logger } from '@nestjs/common';
import { DatabaseOutage } from './database-outage.service';
import { isDatabaseUnavailable } from './database-unavailable';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
  code: 'ECONNREFUSED',
});

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', refused],
    ['a terminated backend', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['TypeORM wrapping it', Object.assign(new Error('query failed'), { driverError: refused })],
    ['a connection closed under a query', new Error('Connection terminated unexpectedly')],
    ['an AggregateError of refusals', new AggregateError([refused, refused])],
    [
      'a SQLite file that cannot be opened',
      Object.assign(new Error('x'), { code: 'SQLITE_CANTOPEN' }),
    ],
  ])('%s is an outage', (_, error) => expect(isDatabaseUnavailable(error)).toBe(true));

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['SQLite busy', Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })],
    ['a bug', new TypeError('x is undefined')],
    ['not an error', 'text'],
  ])('%s is not', (_, error) => expect(isDatabaseUnavailable(error)).toBe(false));
});

describe('DatabaseOutage: logs an outage once a minute, not per failure', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('logs the start, then once a minute, then the end once', () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const outage = new DatabaseOutage();
    for (let i = 0; i < 30; i++) {
      expect(outage.failed('sweep', refused)).toBe(true);
      jest.advanceTimersByTime(1_000);
    }
    expect(errors).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(30_000);
    outage.failed('sweep', refused);
    expect(errors).toHaveBeenCalledTimes(2);
    expect(errors.mock.calls[1][0]).toMatch(/database is unavailable \(for 60 s, 30 failures/);
    outage.succeeded();
    outage.succeeded();
    expect(logs).toHaveBeenCalledTimes(1);
    expect(logs.mock.calls[0][0]).toMatch(/database is reachable again/);
  });

  it('leaves other errors to the caller', () => {
    expect(new DatabaseOutage().failed('sweep', new TypeError('bug'))).toBe(false);
  });
});
