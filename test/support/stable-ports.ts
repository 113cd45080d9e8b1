import { readFileSync } from 'node:fs';
import * as net from 'node:net';

/**
 * Ports for an agent a suite kills and starts again on the same port. A port the kernel chose
 * (port 0) lies in its ephemeral range, where any other process of a parallel test run binding
 * port 0 may get it while the agent is down; the agent then comes back on another port, which
 * the server rightly treats as a changed registration (BUSY, then MAINTENANCE). Ports below
 * that range are never handed out that way.
 */
export async function stablePorts(count: number, host = '127.0.0.1'): Promise<number> {
  const ceiling = ephemeralRangeStart() - count;
  const floor = Math.max(10_000, ceiling - 10_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = floor + Math.floor(Math.random() * (ceiling - floor));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if ((await Promise.all(ports.map((port) => isFree(port, host)))).every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found below the ephemeral range`);
}

/** The low end of the kernel's ephemeral port range (Linux's default where unreadable). */
function ephemeralRangeStart(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    if (Number.isInteger(low) && low > 12_000) return low;
  } catch {
    // not Linux
  }
  return 32_768;
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
