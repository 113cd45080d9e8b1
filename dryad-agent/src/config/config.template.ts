import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_JOB_USER } from '../protocol';
import { CONFIG_DEFAULTS as D, PLACEHOLDER } from './agent.config';

/** The commented config a fresh board starts with. Only the server's URL and token must change. */
export function renderConfigTemplate(uuid: string): string {
  return `# dryad-agent configuration (TOML). Reference: dryad-agent/README.md.
# Before the first start, set server.url and server.token below; the rest has working
# defaults for a MuxPi. Relative paths are relative to this file's folder.

# This board's identity, generated once by \`dryad-agent init\`. Keep it when you reinstall:
# the server knows the worker by it.
uuid = "${uuid}"

# How testers get in:
#   "embedded" - the agent's own SSH server: console, power, SD card and SFTP commands,
#                no shell and no Unix users (the agent may run as root);
#   "system"   - as upstream Boruta: a fresh unprivileged Unix user per job whose
#                authorized_keys holds the job key; testers log in to the board's OpenSSH
#                and get a real shell. Needs root (useradd/userdel).
access_mode = "${D.accessMode}"

# Host key (unless ssh.host_key says otherwise) and the per-job workspace.
data_dir = "${D.dataDir}"

# debug, info, warn or error.
log_level = "${D.logLevel}"

[server]
# The Leshy server, e.g. "http://leshy.lab:8487".
url = "http://${PLACEHOLDER}:8487"
# The agent token. Best: this board's own agent token, which an admin issues on the server
# (POST /api/v2/agent-tokens): it is bound to this board's UUID on the first registration
# and speaks for this board only. Or the lab-wide enrollment token (the server's
# LESHY_AGENT_TOKEN), the weaker option: it speaks for any board. Keep this file private.
token = "${PLACEHOLDER}"
# How often the agent tells the server it is alive.
heartbeat_interval_ms = ${D.heartbeatIntervalMs}

[caps]
# What requests can ask for. UUID is added by the agent. Values are strings.
# board = "rpi4"
# arch = "arm64"
# uart = "yes"

[ssh]
# Where the agent's SSH server listens (control commands from the server; testers in
# embedded mode).
listen = "${D.listen}"
# host:port the server uses to reach that SSH server. Empty: the listen address, or this
# board's first non-loopback IPv4 address when listening on 0.0.0.0 / [::].
control_addr = ""
# host:port testers are tunnelled to. Empty: control_addr in embedded mode; the board's
# OpenSSH (the control host, port 22) in system mode.
tester_addr = ""
# Host key file, created on first start. Empty: <data_dir>/${D.hostKeyFile}.
host_key = ""
# User name testers log in with.
job_user = "${DEFAULT_JOB_USER}"
# System mode only: supplementary groups of that user, for its shell (a DUT's USB-serial
# adapter, say). None by default: on Debian "dialout" opens the STM's line (and the console)
# too, and the agent refuses to make a job user that could open the STM, the SD card reader
# or the console (see console.job_access). Groups that amount to root (sudo, disk, ...) are
# refused.
job_groups = [${D.jobGroups.map((g) => `"${g}"`).join(', ')}]

[stm]
# The MuxPi's STM microcontroller (power, SD mux, LEDs, OLED, current).
path = "${D.stmPath}"
baud = ${D.stmBaud}
# Per-command timeout; power tick gets its tick length on top.
timeout_ms = ${D.stmTimeoutMs}
# How often the agent checks that the STM answers (a "power" query).
probe_interval_ms = ${D.stmProbeIntervalMs}
# Length of the power tick a healthcheck does (the upstream Dryad uses 1000).
healthcheck_tick_ms = ${D.healthcheckTickMs}

[console]
# The DUT's serial console, bridged to testers by the "console" command.
path = "${D.consolePath}"
baud = ${D.consoleBaud}
# How often the agent checks that the console device is still there.
check_interval_ms = ${D.consoleCheckIntervalMs}
# System mode only: lend this device to the job user for the job (it becomes its owner), so
# the shell can open the console itself. Bytes it reads are missing from the "console" stream.
job_access = ${D.consoleJobAccess}

[sdcard]
# The SD card reader on the NanoPi side of the mux ("flash" writes here).
device = "${D.sdcardDevice}"
`;
}

/**
 * Writes a fresh config with a new UUID. Refuses to overwrite: an existing file holds the
 * board's identity. Returns the UUID.
 */
export function writeConfigTemplate(path: string): string {
  const uuid = randomUUID();
  mkdirSync(dirname(path), { recursive: true });
  // 'wx' fails if the file exists; 0600 because it will hold the agent token.
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, renderConfigTemplate(uuid));
  } finally {
    closeSync(fd);
  }
  return uuid;
}
