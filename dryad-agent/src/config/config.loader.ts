import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { CONTROL_USER, DEFAULT_JOB_USER } from '../protocol';
import { HostPort, parseHostPort, readHostPort } from '../net/host-port';
import { AgentConfig, CONFIG_DEFAULTS, PLACEHOLDER } from './agent.config';

/** One or more problems with a config file, each naming the key and what is accepted. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.length === 1 ? problems[0] : '\n  ' + problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export const BAUD_RATES = [
  1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 576000, 921600,
  1000000, 1152000, 1500000, 2000000, 3000000,
];
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CAP_KEY_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const UNIX_USER_RE = /^[a-z_][a-z0-9_-]{0,31}$/;
/**
 * Groups whose members can become root or read and write any disk (the NanoPi's own system
 * card included): a tester with a shell must never be put in one.
 */
const ROOT_EQUIVALENT_GROUPS = [
  'root',
  'sudo',
  'wheel',
  'admin',
  'disk',
  'shadow',
  'kmem',
  'docker',
  'lxd',
];

/** The keys each table accepts; anything else is a typo we report instead of ignoring. */
const SCHEMA: Record<string, string[]> = {
  '': [
    'uuid',
    'access_mode',
    'data_dir',
    'log_level',
    'server',
    'caps',
    'ssh',
    'stm',
    'console',
    'sdcard',
  ],
  server: ['url', 'token', 'heartbeat_interval_ms'],
  ssh: ['listen', 'control_addr', 'tester_addr', 'host_key', 'job_user', 'job_groups'],
  stm: ['path', 'baud', 'timeout_ms', 'probe_interval_ms', 'healthcheck_tick_ms'],
  console: ['path', 'baud', 'check_interval_ms', 'job_access'],
  sdcard: ['device'],
};

type Table = Record<string, unknown>;

/** Reads and validates a TOML config file. Relative paths in it are relative to its folder. */
export function loadConfigFile(path: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the config file (${(error as Error).message})`]);
  }
  let table: Table;
  try {
    table = parse(text) as Table;
  } catch (error) {
    const where =
      error instanceof TomlError ? ` at line ${error.line}, column ${error.column}` : '';
    const first = (error as Error).message.split('\n')[0];
    throw new ConfigError(path, [`not valid TOML${where}: ${first}`]);
  }
  return buildConfig(table, path, dirname(resolve(path)));
}

/** Validates an already parsed config table (the fleet builds one in memory). */
export function buildConfig(table: Table, source: string, baseDir: string): AgentConfig {
  const problems: string[] = [];
  const reader = new TableReader(table, problems, baseDir);
  reader.checkKeys();

  const uuid = reader.string('', 'uuid', undefined, (v) =>
    UUID_RE.test(v)
      ? null
      : 'expected a UUID like 3f0c8a1e-5b7d-4c2a-9e1f-0a1b2c3d4e5f (run `dryad-agent init` to get one)',
  );
  const accessMode = reader.oneOf(
    '',
    'access_mode',
    ['embedded', 'system'],
    CONFIG_DEFAULTS.accessMode,
  );
  const dataDir = reader.path('', 'data_dir', CONFIG_DEFAULTS.dataDir);
  const logLevel = reader.oneOf('', 'log_level', LOG_LEVELS, CONFIG_DEFAULTS.logLevel);

  const url = reader.string('server', 'url', undefined, (v) => {
    if (v.includes(PLACEHOLDER))
      return "still the placeholder: set it to the Leshy server's URL, e.g. http://leshy.lab:8487";
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:'
        ? null
        : 'expected an http:// or https:// URL';
    } catch {
      return 'expected a URL such as http://leshy.lab:8487';
    }
  });
  const token = reader.string('server', 'token', undefined, (v) =>
    v === PLACEHOLDER || v.trim() === ''
      ? 'still the placeholder: set it to the agent token an admin created on the Leshy server'
      : null,
  );
  const heartbeatIntervalMs = reader.int(
    'server',
    'heartbeat_interval_ms',
    CONFIG_DEFAULTS.heartbeatIntervalMs,
    100,
    3_600_000,
  );

  const caps: Record<string, string> = {};
  const capsTable = table.caps;
  if (capsTable !== undefined && !isTable(capsTable)) {
    problems.push('caps: expected a table of string values, e.g. [caps] board = "rpi4"');
  } else if (capsTable) {
    for (const [key, value] of Object.entries(capsTable)) {
      if (!CAP_KEY_RE.test(key))
        problems.push(`caps.${key}: cap names are letters, digits, "_", "-" and "." (at most 64)`);
      else if (key === 'UUID') problems.push('caps.UUID: set by the agent from `uuid`; remove it');
      else if (typeof value !== 'string')
        problems.push(`caps.${key}: expected a string; quote the value ("${String(value)}")`);
      else caps[key] = value;
    }
  }

  const listen = reader.address('ssh', 'listen', CONFIG_DEFAULTS.listen, 0);
  const controlAddr = reader.optionalAddress('ssh', 'control_addr');
  const testerAddr = reader.optionalAddress('ssh', 'tester_addr');
  const hostKeyPath = reader.path(
    'ssh',
    'host_key',
    join(dataDir ?? CONFIG_DEFAULTS.dataDir, CONFIG_DEFAULTS.hostKeyFile),
  );
  const jobUser = reader.string('ssh', 'job_user', DEFAULT_JOB_USER, (v) =>
    !UNIX_USER_RE.test(v)
      ? 'expected a Unix user name: lower-case letters, digits, "_" and "-", starting with a letter or "_", at most 32'
      : v === CONTROL_USER
        ? `"${CONTROL_USER}" is the server's control user; choose another name`
        : v === 'root'
          ? 'testers must not log in as root; choose an unprivileged name such as boruta-user'
          : null,
  );
  const jobGroups = reader.stringList('ssh', 'job_groups', CONFIG_DEFAULTS.jobGroups, (v) =>
    !UNIX_USER_RE.test(v)
      ? `"${v}" is not a Unix group name: lower-case letters, digits, "_" and "-", starting with a letter or "_", at most 32`
      : ROOT_EQUIVALENT_GROUPS.includes(v)
        ? `"${v}" would give the tester's shell root or raw disks; the SD card is written with the agent's flash command`
        : null,
  );

  const stmPath = reader.path('stm', 'path', CONFIG_DEFAULTS.stmPath);
  const stmBaud = reader.oneOfNumbers('stm', 'baud', BAUD_RATES, CONFIG_DEFAULTS.stmBaud);
  const timeoutMs = reader.int('stm', 'timeout_ms', CONFIG_DEFAULTS.stmTimeoutMs, 50, 60_000);
  const probeIntervalMs = reader.int(
    'stm',
    'probe_interval_ms',
    CONFIG_DEFAULTS.stmProbeIntervalMs,
    100,
    3_600_000,
  );
  const healthcheckTickMs = reader.int(
    'stm',
    'healthcheck_tick_ms',
    CONFIG_DEFAULTS.healthcheckTickMs,
    1,
    60_000,
  );

  const consolePath = reader.path('console', 'path', CONFIG_DEFAULTS.consolePath);
  const consoleBaud = reader.oneOfNumbers(
    'console',
    'baud',
    BAUD_RATES,
    CONFIG_DEFAULTS.consoleBaud,
  );
  const checkIntervalMs = reader.int(
    'console',
    'check_interval_ms',
    CONFIG_DEFAULTS.consoleCheckIntervalMs,
    50,
    600_000,
  );
  const jobAccess = reader.bool('console', 'job_access', CONFIG_DEFAULTS.consoleJobAccess);
  const sdcardDevice = reader.path('sdcard', 'device', CONFIG_DEFAULTS.sdcardDevice);

  if (problems.length > 0) throw new ConfigError(source, problems);
  return {
    uuid: uuid as string,
    accessMode: accessMode as AgentConfig['accessMode'],
    dataDir: dataDir as string,
    logLevel: logLevel as AgentConfig['logLevel'],
    server: {
      url: (url as string).replace(/\/+$/, ''),
      token: token as string,
      heartbeatIntervalMs,
    },
    caps,
    ssh: {
      listen: listen as HostPort,
      controlAddr,
      testerAddr,
      hostKeyPath: hostKeyPath as string,
      jobUser: jobUser as string,
      jobGroups,
    },
    stm: { path: stmPath as string, baud: stmBaud, timeoutMs, probeIntervalMs, healthcheckTickMs },
    console: { path: consolePath as string, baud: consoleBaud, checkIntervalMs, jobAccess },
    sdcard: { device: sdcardDevice as string },
  };
}

function isTable(value: unknown): value is Table {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

/** Reads typed values out of the parsed tables, collecting one message per bad key. */
class TableReader {
  constructor(
    private readonly root: Table,
    private readonly problems: string[],
    private readonly baseDir: string,
  ) {}

  checkKeys(): void {
    for (const [section, keys] of Object.entries(SCHEMA)) {
      const table = section === '' ? this.root : this.root[section];
      if (table === undefined) continue;
      if (!isTable(table)) {
        this.problems.push(`${section}: expected a table ([${section}])`);
        continue;
      }
      for (const key of Object.keys(table)) {
        if (!keys.includes(key)) {
          const where = section === '' ? 'at the top level' : `in [${section}]`;
          this.problems.push(
            `${name(section, key)}: unknown key; accepted ${where}: ${keys.join(', ')}`,
          );
        }
      }
    }
  }

  private raw(section: string, key: string): unknown {
    const table = section === '' ? this.root : this.root[section];
    return isTable(table) ? table[key] : undefined;
  }

  string(
    section: string,
    key: string,
    fallback: string | undefined,
    check?: (v: string) => string | null,
  ): string | undefined {
    const value = this.raw(section, key);
    if (value === undefined) {
      if (fallback === undefined)
        this.problems.push(`${name(section, key)}: missing; it is required`);
      return fallback;
    }
    if (typeof value !== 'string') {
      this.problems.push(`${name(section, key)}: expected a string in quotes`);
      return fallback;
    }
    const problem = check?.(value);
    if (problem) this.problems.push(`${name(section, key)}: ${problem}`);
    return value;
  }

  /** An array of distinct strings, each checked on its own. */
  stringList(
    section: string,
    key: string,
    fallback: string[],
    check: (v: string) => string | null,
  ): string[] {
    const value = this.raw(section, key);
    if (value === undefined) return [...fallback];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      this.problems.push(`${name(section, key)}: expected a list of strings, e.g. ["dialout"]`);
      return [...fallback];
    }
    const problems = value.map(check).filter((p): p is string => p !== null);
    const repeated = value.filter((v, i) => value.indexOf(v) !== i);
    if (repeated.length) problems.push(`"${repeated[0]}" is listed twice`);
    for (const problem of problems) this.problems.push(`${name(section, key)}: ${problem}`);
    return value;
  }

  bool(section: string, key: string, fallback: boolean): boolean {
    const value = this.raw(section, key);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') {
      this.problems.push(`${name(section, key)}: expected true or false (no quotes)`);
      return fallback;
    }
    return value;
  }

  oneOf(section: string, key: string, accepted: string[], fallback: string): string {
    const value = this.string(section, key, fallback, (v) =>
      accepted.includes(v)
        ? null
        : `expected one of ${accepted.map((a) => `"${a}"`).join(', ')}; got "${v}"`,
    );
    return value ?? fallback;
  }

  int(section: string, key: string, fallback: number, min: number, max: number): number {
    const value = this.raw(section, key);
    if (value === undefined) return fallback;
    const n = typeof value === 'bigint' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      this.problems.push(
        `${name(section, key)}: expected a whole number from ${min} to ${max}; got ${String(value)}`,
      );
      return fallback;
    }
    return n;
  }

  oneOfNumbers(section: string, key: string, accepted: number[], fallback: number): number {
    const value = this.raw(section, key);
    if (value === undefined) return fallback;
    const n = typeof value === 'bigint' ? Number(value) : value;
    if (typeof n !== 'number' || !accepted.includes(n)) {
      this.problems.push(
        `${name(section, key)}: expected a standard baud rate (${accepted.join(', ')}); got ${String(value)}`,
      );
      return fallback;
    }
    return n;
  }

  /** An empty string means the default, as the template's comments say. */
  path(section: string, key: string, fallback: string): string | undefined {
    const value = this.string(section, key, fallback);
    if (value === undefined || value.trim() === '') return fallback;
    return isAbsolute(value) ? value : resolve(this.baseDir, value);
  }

  address(section: string, key: string, fallback: string, minPort: number): HostPort | undefined {
    const value = this.string(section, key, fallback) ?? fallback;
    const result = readHostPort(value, { listen: minPort === 0 });
    if ('problem' in result) {
      this.problems.push(
        `${name(section, key)}: expected host:port such as 0.0.0.0:2222 or [::]:2222; got "${value}" (${result.problem})`,
      );
      return undefined;
    }
    return result.address;
  }

  optionalAddress(section: string, key: string): string | null {
    const value = this.string(section, key, '') ?? '';
    if (value === '') return null;
    if (value.includes(PLACEHOLDER) || !parseHostPort(value)) {
      this.problems.push(
        `${name(section, key)}: expected host:port the server can reach, e.g. 10.0.0.12:2222; got "${value}"`,
      );
      return null;
    }
    return value;
  }
}

function name(section: string, key: string): string {
  return section === '' ? key : `${section}.${key}`;
}
