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
  /** Deadline given to requests that do not name one. */
  abstract readonly defaultDeadlineMs: number;
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
  /** Shared secret agents authenticate with; null = agent endpoints refuse everyone. */
  abstract readonly agentToken: string | null;
  /** How often IDLE workers are health-checked over SSH. */
  abstract readonly healthcheckIntervalMs: number;
  /** Time limit of one operation on an agent (prepare, maintenance, health check). */
  abstract readonly dryadTimeoutMs: number;
  /**
   * What unauthenticated API v1 clients may do (v1 has no authentication, as upstream):
   * `admin` (upstream's behaviour) or `tester` (setstate, setgroups, deregister refused).
   */
  abstract readonly v1AnonymousRole: V1AnonymousRole;
  /** The cap key whose value names a board class in metrics (e.g. `board` → rpi4, odroid). */
  abstract readonly boardClassCap: string;
}

export type V1AnonymousRole = 'admin' | 'tester';
