import { networkInterfaces } from 'node:os';
import type { AgentConfig } from '../config/agent.config';
import { formatHostPort, parseHostPort } from '../net/host-port';

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The host:port pairs sent at registration: where the server reaches the control SSH server,
 * and where testers are tunnelled to. Explicit config wins; otherwise derive them from the
 * listen address (and the port actually bound, for port 0).
 */
export function advertisedAddresses(
  config: AgentConfig,
  boundPort: number,
): { controlAddr: string; sshAddr: string } {
  const listenHost = config.ssh.listen.host;
  const host = WILDCARDS.has(listenHost) ? firstLanAddress() : listenHost;
  const controlAddr = config.ssh.controlAddr ?? formatHostPort({ host, port: boundPort });
  const controlHost = (parseHostPort(controlAddr) ?? { host }).host;
  const sshAddr =
    config.ssh.testerAddr ??
    (config.accessMode === 'embedded'
      ? controlAddr
      : formatHostPort({ host: controlHost, port: 22 }));
  return { controlAddr, sshAddr };
}

/** The board's first non-internal IPv4 address (a MuxPi has one Ethernet port). */
function firstLanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.family === 'IPv4' && !info.internal) return info.address;
    }
  }
  return '127.0.0.1';
}
