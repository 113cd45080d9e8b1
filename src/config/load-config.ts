import * as net from 'node:net';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { AppConfig, DatabaseConfig, HttpAddress, V1AnonymousRole } from './app-config';
import { ConfigError } from './config-error';
import { DURATION_FORMAT_HINT, parseDuration } from './duration';

/** Environment variables as a plain map, so tests can pass their own. */
export type Environment = Record<string, string | undefined>;

/** Every variable Leshy reads, with its default; the README's configuration table mirrors this. */
export const CONFIG_DEFAULTS = {
  LESHY_HTTP_ADDR: '127.0.0.1:8487',
  LESHY_DATA_DIR: './data',
  LESHY_DATABASE_URL: '(SQLite file leshy.sqlite in the data dir)',
  LESHY_SQLITE_SYNCHRONOUS: 'NORMAL',
  LESHY_JOB_TIMEOUT: '1h',
  LESHY_DEFAULT_DEADLINE: '30d',
  LESHY_MAX_PROLONGS: 'unlimited',
  LESHY_SWEEP_INTERVAL: '10s',
  LESHY_SECRET: '(generated once into the data dir)',
  LESHY_TUNNEL_HOST: '127.0.0.1',
  LESHY_TUNNEL_ADVERTISED_IP: '(the tunnel host, when it is the IP of one interface)',
  LESHY_KEY_POOL: '16',
  LESHY_KEY_THREADS: '(one per CPU core)',
  LESHY_AGENT_TOKEN: '(none: agents cannot register)',
  LESHY_HEALTHCHECK_INTERVAL: '5m',
  LESHY_DRYAD_TIMEOUT: '60s',
  LESHY_V1_ANONYMOUS_ROLE: 'admin',
  LESHY_BOARD_CLASS_CAP: 'board',
} as const;

function parseAddress(text: string): HttpAddress | undefined {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  if (!match || Number(match[2]) > 65535) return undefined;
  return { host: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Environment) {}

  raw(name: keyof typeof CONFIG_DEFAULTS): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  duration(name: keyof typeof CONFIG_DEFAULTS, fallback: string, minMs = 1): number {
    const text = this.raw(name) ?? fallback;
    const ms = parseDuration(text);
    if (ms === undefined || ms < minMs) {
      this.problems.push(
        `${name}=${JSON.stringify(text)} is not a duration: use ${DURATION_FORMAT_HINT}`,
      );
      return parseDuration(fallback)!;
    }
    return ms;
  }

  integer(name: keyof typeof CONFIG_DEFAULTS, fallback: number, min: number, max: number): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      this.problems.push(
        `${name}=${JSON.stringify(text)} must be a whole number from ${min} to ${max}`,
      );
      return fallback;
    }
    return Number(text);
  }

  address(name: keyof typeof CONFIG_DEFAULTS, fallback: string): HttpAddress {
    const text = this.raw(name) ?? fallback;
    const parsed = parseAddress(text) ?? parseAddress(fallback)!;
    if (!parseAddress(text)) {
      this.problems.push(
        `${name}=${JSON.stringify(text)} must be host:port, e.g. 127.0.0.1:8487 or [::1]:8487`,
      );
    }
    return parsed;
  }

  oneOf<T extends string>(
    name: keyof typeof CONFIG_DEFAULTS,
    fallback: T,
    allowed: readonly T[],
  ): T {
    const text = (this.raw(name) ?? fallback).toUpperCase() as T;
    if (!allowed.includes(text)) {
      this.problems.push(
        `${name}=${JSON.stringify(this.raw(name))} must be one of ${allowed.join(', ')}`,
      );
      return fallback;
    }
    return text;
  }
}

function databaseConfig(reader: Reader, dataDir: string): DatabaseConfig {
  const url = reader.raw('LESHY_DATABASE_URL');
  const synchronous = reader.oneOf('LESHY_SQLITE_SYNCHRONOUS', 'NORMAL', [
    'NORMAL',
    'FULL',
  ] as const);
  if (url === undefined)
    return { kind: 'sqlite', path: path.join(dataDir, 'leshy.sqlite'), synchronous };
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  const sqlite = /^sqlite:(.+)$/.exec(url);
  if (sqlite) return { kind: 'sqlite', path: path.resolve(sqlite[1]), synchronous };
  reader.problems.push(
    `LESHY_DATABASE_URL=${JSON.stringify(url)} is not understood: use postgres://user@host:5432/db or sqlite:/path/to/file.sqlite`,
  );
  return { kind: 'sqlite', path: path.join(dataDir, 'leshy.sqlite'), synchronous };
}

/**
 * API v1 has no authentication. Until the auth module gives v1 a real identity, anonymous v1
 * clients are admins by default so upstream clients and tools keep working unchanged; a lab
 * that wants admin calls refused over v1 sets `tester`.
 */
function v1AnonymousRole(reader: Reader): V1AnonymousRole {
  const text = reader.raw('LESHY_V1_ANONYMOUS_ROLE')?.toLowerCase() ?? 'admin';
  if (text === 'admin' || text === 'tester') return text;
  reader.problems.push(
    `LESHY_V1_ANONYMOUS_ROLE=${JSON.stringify(reader.raw('LESHY_V1_ANONYMOUS_ROLE'))} must be admin or tester`,
  );
  return 'admin';
}

/** A cap key the metrics can put in a SQL JSON path and a label value without quoting. */
const CAP_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;

function boardClassCap(reader: Reader): string {
  const text = reader.raw('LESHY_BOARD_CLASS_CAP') ?? CONFIG_DEFAULTS.LESHY_BOARD_CLASS_CAP;
  if (CAP_KEY.test(text)) return text;
  reader.problems.push(
    `LESHY_BOARD_CLASS_CAP=${JSON.stringify(text)} must be one cap key of letters, digits and _ . : - (e.g. board)`,
  );
  return CONFIG_DEFAULTS.LESHY_BOARD_CLASS_CAP;
}

/** The "any" addresses: listening on them means every interface; nobody can connect to them. */
const UNSPECIFIED = new net.BlockList();
UNSPECIFIED.addAddress('0.0.0.0', 'ipv4');
UNSPECIFIED.addAddress('::', 'ipv6');

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

const unbracketed = (text: string) => text.replace(/^\[(.*)\]$/, '$1');

/** Why testers cannot be sent `address` as Addr.IP; null when they can. */
function whyNotAdvertisable(address: string): string | null {
  if (net.isIP(address) === 0)
    return 'is not an IP address, and API v1 clients read Addr.IP as a Go net.IP';
  if (address.includes('%')) return 'has a zone, which a Go net.IP cannot hold';
  if (UNSPECIFIED.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4'))
    return 'is the "any" address (every interface), which testers cannot connect to';
  return null;
}

/**
 * Where tunnels listen, and the IP acquire_worker sends testers: an IP literal, because the Go
 * client decodes AccessInfo2's Addr.IP as a net.IP. It defaults to the tunnel host only when
 * that is one interface's IP.
 */
function tunnelConfig(reader: Reader): AppConfig['tunnel'] {
  const fallback = { host: CONFIG_DEFAULTS.LESHY_TUNNEL_HOST, advertisedIp: '127.0.0.1' };
  const hostText = reader.raw('LESHY_TUNNEL_HOST') ?? CONFIG_DEFAULTS.LESHY_TUNNEL_HOST;
  const host = unbracketed(hostText);
  if (net.isIP(host) === 0 && !HOST_NAME.test(host)) {
    reader.problems.push(
      `LESHY_TUNNEL_HOST=${JSON.stringify(hostText)} must be an IP address or a host name to listen on, without a port (each tunnel takes a free port), e.g. 0.0.0.0 or 192.168.1.10`,
    );
    return fallback;
  }
  const advertisedText = reader.raw('LESHY_TUNNEL_ADVERTISED_IP');
  const advertised = unbracketed(advertisedText ?? host);
  const why = whyNotAdvertisable(advertised);
  if (why === null) return { host, advertisedIp: advertised };
  reader.problems.push(
    advertisedText === undefined
      ? `LESHY_TUNNEL_HOST=${JSON.stringify(hostText)} ${why}: set LESHY_TUNNEL_ADVERTISED_IP to the IP address testers reach this server at`
      : `LESHY_TUNNEL_ADVERTISED_IP=${JSON.stringify(advertisedText)} ${why}: use the IP address testers reach this server at, e.g. 192.168.1.10`,
  );
  return fallback;
}

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Environment): AppConfig {
  const reader = new Reader(env);
  const dataDir = path.resolve(reader.raw('LESHY_DATA_DIR') ?? CONFIG_DEFAULTS.LESHY_DATA_DIR);
  const maxProlongsText = reader.raw('LESHY_MAX_PROLONGS');
  const config: AppConfig = {
    http: reader.address('LESHY_HTTP_ADDR', CONFIG_DEFAULTS.LESHY_HTTP_ADDR),
    dataDir,
    database: databaseConfig(reader, dataDir),
    jobTimeoutMs: reader.duration('LESHY_JOB_TIMEOUT', CONFIG_DEFAULTS.LESHY_JOB_TIMEOUT),
    defaultDeadlineMs: reader.duration(
      'LESHY_DEFAULT_DEADLINE',
      CONFIG_DEFAULTS.LESHY_DEFAULT_DEADLINE,
    ),
    maxProlongs:
      maxProlongsText === undefined || maxProlongsText === 'unlimited'
        ? null
        : reader.integer('LESHY_MAX_PROLONGS', 0, 0, 1_000_000),
    sweepIntervalMs: reader.duration('LESHY_SWEEP_INTERVAL', CONFIG_DEFAULTS.LESHY_SWEEP_INTERVAL),
    secret: reader.raw('LESHY_SECRET') ?? null,
    tunnel: tunnelConfig(reader),
    keyPoolSize: reader.integer('LESHY_KEY_POOL', Number(CONFIG_DEFAULTS.LESHY_KEY_POOL), 0, 1024),
    // Key threads run at the lowest CPU priority (job-key.worker.ts), so one per core only
    // uses what the server leaves idle.
    keyThreads: reader.integer('LESHY_KEY_THREADS', availableParallelism(), 1, 64),
    agentToken: reader.raw('LESHY_AGENT_TOKEN') ?? null,
    healthcheckIntervalMs: reader.duration(
      'LESHY_HEALTHCHECK_INTERVAL',
      CONFIG_DEFAULTS.LESHY_HEALTHCHECK_INTERVAL,
    ),
    dryadTimeoutMs: reader.duration('LESHY_DRYAD_TIMEOUT', CONFIG_DEFAULTS.LESHY_DRYAD_TIMEOUT),
    v1AnonymousRole: v1AnonymousRole(reader),
    boardClassCap: boardClassCap(reader),
  };
  if (config.secret !== null && config.secret.length < 16) {
    reader.problems.push('LESHY_SECRET must be at least 16 characters long');
  }
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}

/** The one place that reads process.env. */
export function loadConfigFromEnvironment(): AppConfig {
  return loadConfig(process.env);
}
