/** What one chaos run does: how many kills, boards and clients, and on which database. */
export interface ChaosOptions {
  /** SIGKILLs of the server (SQLite) or of the scheduling instance (PostgreSQL). */
  kills: number;
  /** Simulated boards in the `dryad-agent fleet` process. */
  boards: number;
  /** API v1 clients cycling create → IN PROGRESS → acquire → close. */
  cyclers: number;
  /** Clients filing requests with short deadlines and a validAfter, never closing them. */
  waiters: number;
  /** The server runs a random time in [minUpMs, maxUpMs] after it serves, then is killed. */
  minUpMs: number;
  maxUpMs: number;
  /** LESHY_JOB_TIMEOUT and LESHY_SWEEP_INTERVAL of the servers, in whole seconds. */
  jobTimeoutSeconds: number;
  sweepSeconds: number;
  /** Seed of the random kill moments and load mix (printed, so a run can be repeated). */
  seed: number;
  /** Run on a scratch PostgreSQL database instead of a SQLite file. */
  postgres: boolean;
  /** Server processes on that database (more than one needs PostgreSQL). */
  instances: number;
  /** The whole run gives up (and fails) after this long. */
  maxSeconds: number;
  /** Keep the data dir (and the PostgreSQL database) afterwards, for a look. */
  keep: boolean;
}

export const CHAOS_DEFAULTS: ChaosOptions = {
  kills: 20,
  boards: 20,
  cyclers: 8,
  waiters: 4,
  minUpMs: 1_000,
  maxUpMs: 4_000,
  jobTimeoutSeconds: 5,
  sweepSeconds: 1,
  seed: 0,
  postgres: false,
  instances: 1,
  maxSeconds: 600,
  keep: false,
};

export const CHAOS_USAGE = `npm run chaos -- [options]
  --kills N          SIGKILLs (default 20; 10 with --postgres --instances 2)
  --boards N         simulated boards (default 20)
  --cyclers N        create → acquire → close clients (default 8)
  --waiters N        clients filing requests with short deadlines (default 4)
  --min-up-ms N      shortest time the server serves before a kill (default 1000)
  --max-up-ms N      longest (default 4000)
  --job-timeout S    LESHY_JOB_TIMEOUT in seconds (default 5)
  --sweep S          LESHY_SWEEP_INTERVAL in seconds (default 1)
  --seed N           random seed (default: from the clock)
  --postgres         a scratch database on the local PostgreSQL instead of SQLite
  postgres           short for --postgres --instances 2
  --instances N      server processes on it (default 1; 2 needs --postgres and an elected scheduler)
  --max-seconds N    give up after this long (default 600)
  --keep             keep the data dir / database afterwards`;

const NUMERIC: Record<string, keyof ChaosOptions> = {
  '--kills': 'kills',
  '--boards': 'boards',
  '--cyclers': 'cyclers',
  '--waiters': 'waiters',
  '--min-up-ms': 'minUpMs',
  '--max-up-ms': 'maxUpMs',
  '--job-timeout': 'jobTimeoutSeconds',
  '--sweep': 'sweepSeconds',
  '--seed': 'seed',
  '--instances': 'instances',
  '--max-seconds': 'maxSeconds',
};

/** Parses the command line; throws with the usage for anything it does not understand. */
export function parseChaosArgs(argv: string[], now = Date.now()): ChaosOptions {
  const options: ChaosOptions = { ...CHAOS_DEFAULTS, seed: now % 2 ** 31 };
  let killsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--postgres') options.postgres = true;
    // The short form: two instances on PostgreSQL, the scheduler killed.
    else if (flag === 'postgres') Object.assign(options, { postgres: true, instances: 2 });
    else if (flag === '--keep') options.keep = true;
    else if (flag in NUMERIC) {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 0)
        throw new Error(
          `${flag} takes a whole number, got ${JSON.stringify(argv[i])}\n${CHAOS_USAGE}`,
        );
      (options as unknown as Record<string, number>)[NUMERIC[flag]] = value;
      if (flag === '--kills') killsGiven = true;
    } else throw new Error(`unknown option ${JSON.stringify(flag)}\n${CHAOS_USAGE}`);
  }
  return checked(options, killsGiven);
}

function checked(options: ChaosOptions, killsGiven: boolean): ChaosOptions {
  const problems: string[] = [];
  if (options.instances < 1) problems.push('--instances must be at least 1');
  if (options.instances > 1 && !options.postgres)
    problems.push('--instances above 1 needs --postgres: SQLite is the single-instance database');
  if (options.boards < 1) problems.push('--boards must be at least 1');
  if (options.maxUpMs < options.minUpMs) problems.push('--max-up-ms must be >= --min-up-ms');
  if (options.jobTimeoutSeconds < 1 || options.sweepSeconds < 1)
    problems.push('--job-timeout and --sweep are whole seconds, at least 1');
  if (problems.length) throw new Error(`${problems.join('\n')}\n${CHAOS_USAGE}`);
  // Each kill of the scheduler is a failover to wait for: fewer kills keep the run as short.
  if (!killsGiven && options.instances > 1) options.kills = 10;
  return options;
}
