import type { AccessMode, Caps } from '../protocol';
import type { LogLevel } from '../log/logger';
import type { HostPort } from '../net/host-port';

/** Where `run` and `init` look when no `--config` is given (upstream: /etc/boruta/dryad.conf). */
export const DEFAULT_CONFIG_PATH = '/etc/leshy/dryad.toml';

/** The agent's validated configuration; only config.loader.ts builds one from a file. */
export interface AgentConfig {
  uuid: string;
  accessMode: AccessMode;
  /** Host key (by default) and the per-job workspace live here. */
  dataDir: string;
  logLevel: LogLevel;
  server: {
    url: string;
    token: string;
    heartbeatIntervalMs: number;
  };
  /** Without `UUID`: the agent adds it from `uuid`. */
  caps: Caps;
  ssh: {
    listen: HostPort;
    /** Advertised host:port of the control SSH server; null = derive from `listen`. */
    controlAddr: string | null;
    /** Advertised host:port for testers; null = derive from the access mode. */
    testerAddr: string | null;
    hostKeyPath: string;
    jobUser: string;
    /** Supplementary groups of the per-job Unix user (system mode only). */
    jobGroups: string[];
  };
  stm: {
    path: string;
    baud: number;
    timeoutMs: number;
    probeIntervalMs: number;
    healthcheckTickMs: number;
  };
  console: {
    path: string;
    baud: number;
    checkIntervalMs: number;
    /** System mode: the job user may open the console device itself (lent for the job). */
    jobAccess: boolean;
  };
  sdcard: {
    device: string;
  };
}

/** Values a fresh config starts with; the template and the loader share them. */
export const CONFIG_DEFAULTS = {
  accessMode: 'embedded' as AccessMode,
  dataDir: '/var/lib/leshy/dryad',
  logLevel: 'info' as LogLevel,
  heartbeatIntervalMs: 30_000,
  listen: '0.0.0.0:2222',
  hostKeyFile: 'ssh_host_ed25519_key',
  /**
   * None: on Debian `dialout` opens the STM's line too. A lab adds the groups of what the
   * tester's shell may open (a DUT's USB-serial adapter); the agent refuses any that opens
   * the STM, the SD card reader or the console (see console.job_access for that).
   */
  jobGroups: [] as string[],
  stmPath: '/dev/ttyS2',
  stmBaud: 115200,
  stmTimeoutMs: 2000,
  stmProbeIntervalMs: 30_000,
  healthcheckTickMs: 1000,
  consolePath: '/dev/ttyS1',
  consoleBaud: 115200,
  consoleCheckIntervalMs: 2000,
  consoleJobAccess: false,
  sdcardDevice: '/dev/sda',
};

export const PLACEHOLDER = 'CHANGE-ME';
