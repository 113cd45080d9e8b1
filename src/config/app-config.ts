/** The typed, validated configuration of a Leshy server. Built by load-config.ts only. */
export interface HttpAddress {
  host: string;
  port: number;
}

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string; synchronous: 'NORMAL' | 'FULL' }
  | { kind: 'postgres'; url: string };

export abstract class AppConfig {
  abstract readonly http: HttpAddress;
  /** Where the SQLite file, the server secret and other local state live. */
  abstract readonly dataDir: string;
  abstract readonly database: DatabaseConfig;
  /** A job's lifetime without prolong, and what prolong extends it to. */
  abstract readonly jobTimeoutMs: number;
  /**
   * A job with no tester activity (reported by its agent) for this long ends DONE, reason
   * "idle"; 0 = off. Never later than the job timeout.
   */
  abstract readonly idleJobTimeoutMs: number;
  /** A running job this close to its timeout gets one job.expiring event; 0 = never. */
  abstract readonly expiryWarningMs: number;
  /**
   * Deadline given to requests that do not name one, from their creation; null = one calendar
   * month later (upstream's `AddDate(0, 1, 0)`).
   */
  abstract readonly defaultDeadlineMs: number | null;
  /** How many times one job may be prolonged; null = unlimited. */
  abstract readonly maxProlongs: number | null;
  /** How often the timekeeper sweeps the database for overdue deadlines and job timeouts. */
  abstract readonly sweepIntervalMs: number;
  /** Secret that encrypts keys at rest; null = generated once and kept in the data dir. */
  abstract readonly secret: string | null;
  /** Where job tunnels listen, and the IP they are advertised with to testers. */
  abstract readonly tunnel: { host: string; advertisedIp: string };
  /** How many job key pairs are kept generated ahead of need. */
  abstract readonly keyPoolSize: number;
  /** Worker threads that generate job keys. */
  abstract readonly keyThreads: number;
  /**
   * Lab-wide enrollment token: an agent holding it may register any UUID (the weaker option;
   * per-agent tokens are bound to one UUID). null = only per-agent tokens.
   */
  abstract readonly agentToken: string | null;
  /** LESHY_ADMIN_TOKEN: a token the admin `admin` is made to hold at start-up (unattended installs). */
  abstract readonly adminToken: string | null;
  /** How often IDLE workers are health-checked over SSH. */
  abstract readonly healthcheckIntervalMs: number;
  /** Time limit of one operation on an agent (prepare, maintenance, health check). */
  abstract readonly dryadTimeoutMs: number;
  /**
   * What API v1 callers without a credential are: `none` (v1 needs a token), `tester`, or
   * `admin` (upstream's behaviour: everything).
   */
  abstract readonly v1AnonymousRole: V1AnonymousRole;
  /** The cap key whose value names a board class in metrics (e.g. `board` → rpi4, odroid). */
  abstract readonly boardClassCap: string;
  /** What is logged, and how: JSON lines, or pretty lines for a person at a terminal. */
  abstract readonly log: LogConfig;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export interface LogConfig {
  level: LogLevel;
  /** `auto`: pretty when stdout is a terminal, JSON lines otherwise (a file, a pipe, journald). */
  format: 'auto' | 'json' | 'pretty';
}

export type V1AnonymousRole = 'none' | 'tester' | 'admin';
