import { AppConfig, DatabaseConfig } from './app-config';
import { formatDuration } from './duration';

/** Where the database is, for the log: never the password. */
function describeDatabase(database: DatabaseConfig): string {
  if (database.kind === 'sqlite')
    return `SQLite file ${database.path} (synchronous=${database.synchronous})`;
  const url = new URL(database.url);
  const user = url.username ? ` as ${decodeURIComponent(url.username)}` : '';
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}${user}`;
}

const ANONYMOUS_V1: Record<AppConfig['v1AnonymousRole'], string> = {
  none: 'refused, a token is needed',
  tester: 'testers',
  admin: 'admins',
};

/** What this configuration turns on, one line each, for the start-up log. No secrets. */
export function configSummary(config: AppConfig): string[] {
  return [
    `HTTP (API v1, agent API, /health) on ${config.http.host}:${config.http.port}`,
    `database: ${describeDatabase(config.database)}`,
    config.agentToken
      ? 'agents register with their own agent tokens or the lab-wide LESHY_AGENT_TOKEN'
      : 'agents register only with their own agent tokens (an admin makes them): LESHY_AGENT_TOKEN is not set',
    `job tunnels listen on ${config.tunnel.host}, given to testers as ${config.tunnel.advertisedIp}`,
    `anonymous API v1 clients: ${ANONYMOUS_V1[config.v1AnonymousRole]} (LESHY_V1_ANONYMOUS_ROLE)`,
    config.expiryWarningMs > 0
      ? `running jobs get a job.expiring event ${formatDuration(config.expiryWarningMs)} before their timeout (LESHY_EXPIRY_WARNING)`
      : 'no job.expiring events (LESHY_EXPIRY_WARNING=0)',
    `server secret: ${config.secret ? 'LESHY_SECRET' : `${config.dataDir}/secret.key`}`,
  ];
}
