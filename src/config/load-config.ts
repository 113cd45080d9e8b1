import { isHostName, parseHostPort, readHostPort } from 'dryad-agent/net/host-port';
import * as net from 'node:net';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import {
  AppConfig,
  DatabaseConfig,
  HttpAddress,
  LOG_LEVELS,
  LogConfig,
  V1AnonymousRole,
} from './app-config';
import { ConfigError } from './config-error';
import { DURATION_FORMAT_HINT, parseDuration } from './duration';
import { unknownVariableWarnings } from './unknown-variables';

/** Environment variables as a plain map, so tests can pass their own. */
export type Environment = Record<string, string | undefined>;

/** Every variable Leshy reads, with its default; the README's configuration table mirrors this. */
export const CONFIG_DEFAULTS = {
  LESHY_HTTP_ADDR: '127.0.0.1:8487',
  LESHY_DATA_DIR: './data',
  LESHY_DATABASE_URL: '(SQLite file leshy.sqlite in the data dir)',
  LESHY_SQLITE_SYNCHRONOUS: 'NORMAL',
  LESHY_JOB_TIMEOUT: '1h',
  LESHY_IDLE_JOB_TIMEOUT: '0',
  LESHY_EXPIRY_WARNING: '5m',
  LESHY_DEFAULT_DEADLINE: '(one calendar month, as upstream)',
  LESHY_MAX_PROLONGS: 'unlimited',
  LESHY_SWEEP_INTERVAL: '10s',
  LESHY_SECRET: '(generated once into the data dir)',
  LESHY_TUNNEL_HOST: '127.0.0.1',
  LESHY_TUNNEL_ADVERTISED_IP: '(the tunnel host, when it is the IP of one interface)',
  LESHY_KEY_POOL: '16',
  LESHY_KEY_THREADS: '(one per CPU core)',
  LESHY_AGENT_TOKEN: '(none: only per-agent tokens)',
  LESHY_ADMIN_TOKEN: '(none)',
  LESHY_HEALTHCHECK_INTERVAL: '5m',
  LESHY_DRYAD_TIMEOUT: '60s',
  LESHY_V1_ANONYMOUS_ROLE: 'tester',
  LESHY_BOARD_CLASS_CAP: 'board',
  LESHY_LOG_LEVEL: 'info',
  LESHY_LOG_FORMAT: 'auto',
} as const;

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

  /** An address to listen on (port 0: any free port). */
  address(name: keyof typeof CONFIG_DEFAULTS, fallback: string): HttpAddress {
    const text = this.raw(name) ?? fallback;
    const result = readHostPort(text, { listen: true });
    if ('address' in result) return result.address;
    this.problems.push(
      `${name}=${JSON.stringify(text)} must be host:port, e.g. 127.0.0.1:8487 or [::1]:8487 (${result.problem})`,
    );
    return parseHostPort(fallback, { listen: true })!;
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
 * API v1 callers without a credential (upstream's clients have none unless their server URL
 * carries one) are testers by default: they file and manage their own requests; admin calls
 * need an admin token. `none` makes v1 need a token; `admin` is upstream's behaviour.
 */
function v1AnonymousRole(reader: Reader): V1AnonymousRole {
  const text = reader.raw('LESHY_V1_ANONYMOUS_ROLE')?.toLowerCase() ?? 'tester';
  if (text === 'none' || text === 'admin' || text === 'tester') return text;
  reader.problems.push(
    `LESHY_V1_ANONYMOUS_ROLE=${JSON.stringify(reader.raw('LESHY_V1_ANONYMOUS_ROLE'))} must be none, tester or admin`,
  );
  return 'tester';
}

/** Chosen by a person or a deployment tool: long enough not to be guessed. */
const MIN_ADMIN_TOKEN_LENGTH = 32;

function adminToken(reader: Reader): string | null {
  const token = reader.raw('LESHY_ADMIN_TOKEN') ?? null;
  if (token !== null && (token.length < MIN_ADMIN_TOKEN_LENGTH || /\s/.test(token)))
    reader.problems.push(
      `LESHY_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters without spaces (e.g. the output of "openssl rand -hex 32")`,
    );
  return token;
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

function logConfig(reader: Reader): LogConfig {
  const level = (reader.raw('LESHY_LOG_LEVEL') ?? 'info').toLowerCase();
  const format = (reader.raw('LESHY_LOG_FORMAT') ?? 'auto').toLowerCase();
  const config: LogConfig = { level: 'info', format: 'auto' };
  if ((LOG_LEVELS as readonly string[]).includes(level)) config.level = level as LogConfig['level'];
  else
    reader.problems.push(
      `LESHY_LOG_LEVEL=${JSON.stringify(reader.raw('LESHY_LOG_LEVEL'))} must be one of ${LOG_LEVELS.join(', ')}`,
    );
  if (format === 'auto' || format === 'json' || format === 'pretty') config.format = format;
  else
    reader.problems.push(
      `LESHY_LOG_FORMAT=${JSON.stringify(reader.raw('LESHY_LOG_FORMAT'))} must be auto, json or pretty`,
    );
  return config;
}

/** The "any" addresses: listening on them means every interface; nobody can connect to them. */
const UNSPECIFIED = new net.BlockList();
UNSPECIFIED.addAddress('0.0.0.0', 'ipv4');
UNSPECIFIED.addAddress('::', 'ipv6');

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
  if (net.isIP(host) === 0 && !isHostName(host)) {
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

/** `0` (or `0s`, or unset) turns the inactivity timeout off; anything else is a duration. */
function idleJobTimeout(reader: Reader): number {
  const text = reader.raw('LESHY_IDLE_JOB_TIMEOUT');
  if (text === undefined || text === '0') return 0;
  return reader.duration('LESHY_IDLE_JOB_TIMEOUT', '0s', 0);
}

/** `0` (or `0s`) sends no job.expiring warnings; unset is 5m. */
function expiryWarning(reader: Reader): number {
  const text = reader.raw('LESHY_EXPIRY_WARNING');
  if (text === '0') return 0;
  return reader.duration('LESHY_EXPIRY_WARNING', CONFIG_DEFAULTS.LESHY_EXPIRY_WARNING, 0);
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
    idleJobTimeoutMs: idleJobTimeout(reader),
    expiryWarningMs: expiryWarning(reader),
    // Unset: one calendar month, as upstream (not a fixed duration: months differ in length).
    defaultDeadlineMs:
      reader.raw('LESHY_DEFAULT_DEADLINE') === undefined
        ? null
        : reader.duration('LESHY_DEFAULT_DEADLINE', '30d'),
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
    adminToken: adminToken(reader),
    healthcheckIntervalMs: reader.duration(
      'LESHY_HEALTHCHECK_INTERVAL',
      CONFIG_DEFAULTS.LESHY_HEALTHCHECK_INTERVAL,
    ),
    dryadTimeoutMs: reader.duration('LESHY_DRYAD_TIMEOUT', CONFIG_DEFAULTS.LESHY_DRYAD_TIMEOUT),
    v1AnonymousRole: v1AnonymousRole(reader),
    boardClassCap: boardClassCap(reader),
    log: logConfig(reader),
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

/** Warnings about the environment that do not stop start-up (unknown LESHY_* variables). */
export function configWarningsFromEnvironment(): string[] {
  return unknownVariableWarnings(process.env, Object.keys(CONFIG_DEFAULTS));
}
