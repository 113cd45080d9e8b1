import { configSummary } from './config-summary';
import { loadConfig } from './load-config';

describe('start-up summary of the configuration', () => {
  it('says what is on, and that without LESHY_AGENT_TOKEN only per-agent tokens register', () => {
    const lines = configSummary(loadConfig({ LESHY_DATA_DIR: '/srv/leshy' }));
    expect(lines).toEqual([
      'HTTP (API v1, agent API, /health) on 127.0.0.1:8487',
      'database: SQLite file /srv/leshy/leshy.sqlite (synchronous=NORMAL)',
      'agents register only with their own agent tokens (an admin makes them): LESHY_AGENT_TOKEN is not set',
      'job tunnels listen on 127.0.0.1, given to testers as 127.0.0.1',
      'anonymous API v1 clients: testers (LESHY_V1_ANONYMOUS_ROLE)',
      'running jobs get a job.expiring event 5m before their timeout (LESHY_EXPIRY_WARNING)',
      'server secret: /srv/leshy/secret.key',
    ]);
  });

  it('says when job.expiring warnings are off', () => {
    expect(configSummary(loadConfig({ LESHY_EXPIRY_WARNING: '0' }))).toContain(
      'no job.expiring events (LESHY_EXPIRY_WARNING=0)',
    );
  });

  it('names PostgreSQL by host, database and user, and prints no secret', () => {
    const lines = configSummary(
      loadConfig({
        LESHY_DATABASE_URL: 'postgres://leshy:pa55word@db.lab:6543/boards',
        LESHY_AGENT_TOKEN: 'agent-token-value',
        LESHY_SECRET: 'a-secret-of-enough-length',
      }),
    );
    expect(lines).toContain('database: PostgreSQL db.lab:6543/boards as leshy');
    expect(lines).toContain(
      'agents register with their own agent tokens or the lab-wide LESHY_AGENT_TOKEN',
    );
    expect(lines).toContain('server secret: LESHY_SECRET');
    const all = lines.join('\n');
    for (const secret of ['pa55word', 'agent-token-value', 'a-secret-of-enough-length'])
      expect(all).not.toContain(secret);
  });
});
