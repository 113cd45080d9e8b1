import { availableParallelism } from 'node:os';
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
    expect(config.defaultDeadlineMs).toBeNull(); // one calendar month
    expect(loadConfig({ LESHY_DEFAULT_DEADLINE: '30d' }).defaultDeadlineMs).toBe(30 * 86_400_000);
    expect(config.maxProlongs).toBeNull();
    expect(config.keyPoolSize).toBe(16);
    expect(config.keyThreads).toBe(availableParallelism());
    expect(config.healthcheckIntervalMs).toBe(300_000);
    expect(config.tunnel).toEqual({ host: '127.0.0.1', advertisedIp: '127.0.0.1' });
    expect(config.v1AnonymousRole).toBe('tester');
    expect(config.adminToken).toBeNull();
  });

  it('reads the expiry warning of jobs: 5m unless set, 0 turns it off', () => {
    expect(loadConfig({}).expiryWarningMs).toBe(300_000);
    expect(loadConfig({ LESHY_EXPIRY_WARNING: '0' }).expiryWarningMs).toBe(0);
    expect(loadConfig({ LESHY_EXPIRY_WARNING: '0s' }).expiryWarningMs).toBe(0);
    expect(loadConfig({ LESHY_EXPIRY_WARNING: '10m' }).expiryWarningMs).toBe(600_000);
    expect(() => loadConfig({ LESHY_EXPIRY_WARNING: 'early' })).toThrow(
      /LESHY_EXPIRY_WARNING="early" is not a duration: use a whole number followed by s, m, h or d/,
    );
  });

  it('reads the inactivity timeout of jobs: off unless set, 0 turns it off', () => {
    expect(loadConfig({}).idleJobTimeoutMs).toBe(0);
    expect(loadConfig({ LESHY_IDLE_JOB_TIMEOUT: '0' }).idleJobTimeoutMs).toBe(0);
    expect(loadConfig({ LESHY_IDLE_JOB_TIMEOUT: '0s' }).idleJobTimeoutMs).toBe(0);
    expect(loadConfig({ LESHY_IDLE_JOB_TIMEOUT: '15m' }).idleJobTimeoutMs).toBe(900_000);
    expect(() => loadConfig({ LESHY_IDLE_JOB_TIMEOUT: 'soon' })).toThrow(
      /LESHY_IDLE_JOB_TIMEOUT="soon" is not a duration: use a whole number followed by s, m, h or d/,
    );
  });

  it('lets anonymous API v1 clients be nobody, testers or admins', () => {
    expect(loadConfig({ LESHY_V1_ANONYMOUS_ROLE: 'Admin' }).v1AnonymousRole).toBe('admin');
    expect(loadConfig({ LESHY_V1_ANONYMOUS_ROLE: 'none' }).v1AnonymousRole).toBe('none');
    expect(() => loadConfig({ LESHY_V1_ANONYMOUS_ROLE: 'root' })).toThrow(
      /LESHY_V1_ANONYMOUS_ROLE="root" must be none, tester or admin/,
    );
  });

  it('takes a LESHY_ADMIN_TOKEN only when it is long enough to be secret', () => {
    const token = 'a'.repeat(32);
    expect(loadConfig({ LESHY_ADMIN_TOKEN: token }).adminToken).toBe(token);
    expect(() => loadConfig({ LESHY_ADMIN_TOKEN: 'short' })).toThrow(
      /LESHY_ADMIN_TOKEN must be at least 32 characters/,
    );
  });

  it('names board classes in metrics by the `board` cap unless told another key', () => {
    expect(loadConfig({}).boardClassCap).toBe('board');
    expect(loadConfig({ LESHY_BOARD_CLASS_CAP: 'dut.model' }).boardClassCap).toBe('dut.model');
    expect(() => loadConfig({ LESHY_BOARD_CLASS_CAP: 'board"x' })).toThrow(
      /LESHY_BOARD_CLASS_CAP="board\\"x" must be one cap key/,
    );
  });

  describe('tunnel host and advertised IP', () => {
    const tunnel = (env: Record<string, string>) => loadConfig(env).tunnel;
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as ConfigError).problems;
      }
      throw new Error('the configuration was accepted');
    };

    it('advertises the tunnel host when it is the IP of one interface', () => {
      expect(tunnel({ LESHY_TUNNEL_HOST: '192.168.1.10' })).toEqual({
        host: '192.168.1.10',
        advertisedIp: '192.168.1.10',
      });
      expect(tunnel({ LESHY_TUNNEL_HOST: '[2001:db8::10]' })).toEqual({
        host: '2001:db8::10',
        advertisedIp: '2001:db8::10',
      });
    });

    it('listens on every interface or a host name when told which IP to advertise', () => {
      expect(
        tunnel({ LESHY_TUNNEL_HOST: '0.0.0.0', LESHY_TUNNEL_ADVERTISED_IP: '10.0.0.5' }),
      ).toEqual({ host: '0.0.0.0', advertisedIp: '10.0.0.5' });
      expect(
        tunnel({ LESHY_TUNNEL_HOST: '::', LESHY_TUNNEL_ADVERTISED_IP: '[2001:db8::5]' }),
      ).toEqual({ host: '::', advertisedIp: '2001:db8::5' });
      expect(
        tunnel({ LESHY_TUNNEL_HOST: 'lab-server.example', LESHY_TUNNEL_ADVERTISED_IP: '10.0.0.5' }),
      ).toEqual({ host: 'lab-server.example', advertisedIp: '10.0.0.5' });
    });

    it('stops start-up for an "any" tunnel host without an advertised IP, saying what to set', () => {
      for (const host of ['0.0.0.0', '::', '[::]', '0:0:0:0:0:0:0:0']) {
        const found = problems({ LESHY_TUNNEL_HOST: host });
        expect(found).toHaveLength(1);
        expect(found[0]).toContain(
          `LESHY_TUNNEL_HOST=${JSON.stringify(host)} is the "any" address`,
        );
        expect(found[0]).toMatch(
          /: set LESHY_TUNNEL_ADVERTISED_IP to the IP address testers reach this server at$/,
        );
      }
    });

    it('stops start-up for a tunnel host name without an advertised IP', () => {
      expect(problems({ LESHY_TUNNEL_HOST: 'lab-server.example' })).toEqual([
        expect.stringMatching(
          /^LESHY_TUNNEL_HOST="lab-server.example" is not an IP address.*: set LESHY_TUNNEL_ADVERTISED_IP/,
        ),
      ]);
    });

    it('wants the advertised value to be an IP literal a Go net.IP can hold', () => {
      for (const advertised of ['lab-server.example', '10.0.0.5:2222', '10.0.0', 'fe80::1%eth0']) {
        expect(problems({ LESHY_TUNNEL_ADVERTISED_IP: advertised })).toEqual([
          expect.stringMatching(
            /^LESHY_TUNNEL_ADVERTISED_IP=".*" (is not an IP address|has a zone).*Go net\.IP/,
          ),
        ]);
      }
      expect(problems({ LESHY_TUNNEL_ADVERTISED_IP: '0.0.0.0' })).toEqual([
        expect.stringMatching(/^LESHY_TUNNEL_ADVERTISED_IP="0.0.0.0" is the "any" address/),
      ]);
    });

    it('refuses a tunnel host that is neither an IP nor a host name', () => {
      for (const host of ['0.0.0.0:2222', 'lab server', '-bad-.example']) {
        expect(
          problems({ LESHY_TUNNEL_HOST: host, LESHY_TUNNEL_ADVERTISED_IP: '10.0.0.5' }),
        ).toEqual([
          expect.stringMatching(
            /^LESHY_TUNNEL_HOST=".*" must be an IP address or a host name to listen on, without a port/,
          ),
        ]);
      }
    });
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
