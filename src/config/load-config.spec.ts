import { ConfigError } from './config-error';
import { parseDuration } from './duration';
import { loadConfig } from './load-config';

describe('configuration', () => {
  it('has defaults that work on a laptop', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8487 });
    expect(config.database).toMatchObject({ kind: 'sqlite', synchronous: 'NORMAL' });
    expect((config.database as { path: string }).path).toMatch(/data\/leshy\.sqlite$/);
    expect(config.jobTimeoutMs).toBe(3_600_000);
    expect(config.defaultDeadlineMs).toBe(30 * 86_400_000);
    expect(config.maxProlongs).toBeNull();
    expect(config.keyPoolSize).toBe(16);
    expect(config.healthcheckIntervalMs).toBe(300_000);
    expect(config.tunnel).toEqual({ host: '127.0.0.1', advertisedIp: '127.0.0.1' });
    expect(config.v1AnonymousRole).toBe('admin');
  });

  it('lets anonymous API v1 clients be testers instead of admins', () => {
    expect(loadConfig({ LESHY_V1_ANONYMOUS_ROLE: 'Tester' }).v1AnonymousRole).toBe('tester');
    expect(() => loadConfig({ LESHY_V1_ANONYMOUS_ROLE: 'root' })).toThrow(
      /LESHY_V1_ANONYMOUS_ROLE="root" must be admin or tester/,
    );
  });

  it('accepts durations as 90s, 15m, 1h, 30d', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('30d')).toBe(2_592_000_000);
    expect(parseDuration('1.5h')).toBeUndefined();
    expect(parseDuration('h')).toBeUndefined();
  });

  it('selects PostgreSQL or another SQLite file from LESHY_DATABASE_URL', () => {
    expect(loadConfig({ LESHY_DATABASE_URL: 'postgres://u@db:5432/leshy' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@db:5432/leshy',
    });
    expect(
      loadConfig({ LESHY_DATABASE_URL: 'sqlite:/var/lib/leshy/db.sqlite' }).database,
    ).toMatchObject({
      kind: 'sqlite',
      path: '/var/lib/leshy/db.sqlite',
    });
  });

  it('names every bad variable and what it accepts', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        LESHY_JOB_TIMEOUT: '1 hour',
        LESHY_HTTP_ADDR: 'localhost',
        LESHY_MAX_PROLONGS: '-3',
        LESHY_DATABASE_URL: 'mysql://x',
        LESHY_SECRET: 'short',
      });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      expect.stringMatching(/^LESHY_HTTP_ADDR="localhost" must be host:port/),
      expect.stringMatching(
        /^LESHY_DATABASE_URL="mysql:\/\/x" is not understood: use postgres:\/\//,
      ),
      expect.stringMatching(
        /^LESHY_JOB_TIMEOUT="1 hour" is not a duration: use a whole number followed by s, m, h or d/,
      ),
      expect.stringMatching(/^LESHY_MAX_PROLONGS="-3" must be a whole number/),
      'LESHY_SECRET must be at least 16 characters long',
    ]);
  });
});
