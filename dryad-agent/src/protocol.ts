/**
 * The contract between the Leshy server and dryad-agent: HTTP bodies the agent sends to the
 * server, and the SSH commands the server and testers run on the agent. Both sides import
 * this file (the server as `dryad-agent/protocol`), so it holds types, constants and the
 * syntax of command lines only.
 */

/** How command lines are split into words (sh-like quoting), and how the server quotes a word. */
export { quoteCommandWord, splitCommandLine } from './ssh/command-line.parser';

/** Capabilities of a worker: string -> string. `UUID` is always present. */
export type Caps = Record<string, string>;

/** Agent-facing HTTP endpoints on the server, all under this prefix, bearer-token auth. */
export const AGENT_API_PREFIX = '/api/v2/agents';

/** How testers get a shell on the board. */
export type AccessMode = 'embedded' | 'system';

/** `POST {AGENT_API_PREFIX}/register` */
export interface RegisterAgentRequest {
  uuid: string;
  caps: Caps;
  /** host:port of the agent's own SSH server, where the server runs control commands. */
  controlAddr: string;
  /**
   * host:port testers are tunnelled to. In `embedded` mode this is the agent's SSH server
   * (same as controlAddr); in `system` mode it is the board's OpenSSH.
   */
  sshAddr: string;
  /** The agent SSH server's host key, OpenSSH public key line (`ssh-ed25519 AAAA…`). */
  hostKey: string;
  accessMode: AccessMode;
  agentVersion: string;
}

/** Answer to a registration. */
export interface RegisterAgentResponse {
  /** The only key allowed to run control commands (OpenSSH public key line). */
  serverPublicKey: string;
  /** The worker's state after this registration. */
  state: string;
}

/** `POST {AGENT_API_PREFIX}/:uuid/fail` — 204; 404 means the server forgot the agent. */
export interface ReportFailureRequest {
  reason: string;
}

/**
 * `POST {AGENT_API_PREFIX}/:uuid/heartbeat` — 204 while the server knows the agent; 404 tells
 * the agent to register again.
 */
export const HEARTBEAT_PATH = 'heartbeat';

/**
 * `POST {AGENT_API_PREFIX}/:uuid/activity` — tester activity on the board (a session open,
 * console bytes, a flash, SFTP): 204, the running job's idle deadline moved forward; 409 when
 * the worker has no running job. At most one report per ACTIVITY_REPORT_INTERVAL_MS.
 */
export const ACTIVITY_PATH = 'activity';

/** How often, at most, an agent reports activity while testers are active. */
export const ACTIVITY_REPORT_INTERVAL_MS = 10_000;

/** `POST {AGENT_API_PREFIX}/register` (body RegisterAgentRequest). */
export const REGISTER_PATH = 'register';

/** `POST {AGENT_API_PREFIX}/:uuid/fail` (body ReportFailureRequest). */
export const FAIL_PATH = 'fail';

/**
 * A registration of a board an admin deregistered answers 410 (problem+json) until an admin
 * admits it again with `POST` on this path (an admin route, not an agent one).
 */
export function workerAdmitPath(uuid: string): string {
  return `/api/v2/workers/${uuid}/admit`;
}

/** SSH user name the server uses for control commands. */
export const CONTROL_USER = 'dryad';

/** Default SSH user name of tester sessions in embedded mode (upstream's name). */
export const DEFAULT_JOB_USER = 'boruta-user';

/** Control commands (exec requests of CONTROL_USER). */
export const ControlCommand = {
  /** stdin: the job's public key (OpenSSH line). stdout: PrepareResult JSON. */
  Prepare: 'prepare',
  /** stdin: one more public key (OpenSSH line) allowed for the current job. */
  Authorize: 'authorize',
  /** `maintenance <message…>`: OLED text, LEDs blink yellow, tester keys revoked. */
  Maintenance: 'maintenance',
  /** exit 0 when healthy; otherwise non-zero with the reason on stderr. */
  Healthcheck: 'healthcheck',
  /** stdout: AgentStatus JSON. */
  Status: 'status',
} as const;
export type ControlCommand = (typeof ControlCommand)[keyof typeof ControlCommand];

export interface PrepareResult {
  /** The user name testers log in with for this job. */
  username: string;
}

export interface AgentStatus {
  uuid: string;
  accessMode: AccessMode;
  maintenance: { active: boolean; message: string };
  job: { active: boolean; username: string | null; keys: number };
  stm: { responding: boolean; power: 'on' | 'off' | 'unknown'; mux: 'dut' | 'ts' | 'unknown' };
  console: { present: boolean; path: string };
}

/**
 * Exit status of every exec request, control or tester. Output on failure: one line per
 * problem on stderr (for `healthcheck`, each line is one problem, e.g.
 * `STM not answering on /dev/ttyS2 (timeout after 3000 ms waiting for "power tick 1000")`;
 * the timeout is stm.timeout_ms plus the tick).
 */
export const ExecExitCode = {
  Ok: 0,
  /** Understood but failed: STM error, refused (e.g. flash while the card is on the DUT side), unhealthy. */
  Failed: 1,
  /** Bad arguments or stdin (e.g. not an OpenSSH public key line). */
  Usage: 2,
  /** No such command; stderr lists the commands. */
  UnknownCommand: 127,
} as const;
export type ExecExitCode = (typeof ExecExitCode)[keyof typeof ExecExitCode];

/** Commands a tester may run with the job key (exec requests of the job user). */
export const TesterCommand = {
  Console: 'console',
  Power: 'power',
  Dut: 'dut',
  Ts: 'ts',
  Current: 'current',
  Flash: 'flash',
  /** Where the SD card is, or `mux dut|ts` to move it alone. */
  Mux: 'mux',
  /** Where the DUT's USB goes (`usb ts|uart`), and its VBUS. */
  Usb: 'usb',
  /** The HDMI hot-plug line. */
  Hdmi: 'hdmi',
  Dyper: 'dyper',
} as const;
export type TesterCommand = (typeof TesterCommand)[keyof typeof TesterCommand];
