import { isIPv4, isIPv6 } from 'node:net';

/**
 * The one host:port parser of Leshy, server and agent alike (registration addresses, listen
 * addresses, tunnel targets), so that what one side accepts the other can dial.
 */
export interface HostPort {
  /** An IPv4 dotted quad, an IPv6 address (without brackets) or a DNS host name. */
  host: string;
  port: number;
}

export interface HostPortOptions {
  /** Port 0 is accepted: for an address to listen on, where it means "any free port". */
  listen?: boolean;
}

/** RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Whether `host` is a DNS host name (not an IP address; see isHost for either). */
export function isHostName(host: string): boolean {
  // All digits and dots is meant as an IPv4 address: 999.999.999.999 is not a name.
  return HOST_NAME.test(host) && !/^[0-9.]+$/.test(host);
}

/** Why `host` (unbracketed) is not an IPv4 address, an IPv6 address or a host name; null if it is. */
function hostProblem(host: string, bracketed: boolean): string | null {
  if (bracketed) return isIPv6(host) ? null : `[${host}] is not an IPv6 address`;
  if (host.includes(':')) return `an IPv6 address must be in brackets, e.g. [${host}]:22`;
  if (/^[0-9.]+$/.test(host))
    return isIPv4(host) ? null : `${host} is not an IPv4 address (four numbers 0 to 255)`;
  return isHostName(host) ? null : `${JSON.stringify(host)} is not a valid host name`;
}

function portProblem(text: string, options: HostPortOptions): string | null {
  if (options.listen && text === '0') return null;
  const range = options.listen ? '0 (any free port) or 1 to 65535' : '1 to 65535';
  if (!/^[0-9]+$/.test(text)) return `the port ${JSON.stringify(text)} is not a number`;
  if (text.length > 1 && text.startsWith('0'))
    return `the port ${text} has leading zeros: write ${Number(text)}`;
  if (Number(text) < 1 || Number(text) > 65535) return `the port ${text} is not ${range}`;
  return null;
}

/** Parses `host:port` or `[ipv6]:port`: the address, or why it is not one. */
export function readHostPort(
  text: string,
  options: HostPortOptions = {},
): { address: HostPort } | { problem: string } {
  const match = /^(?:\[([^\]]*)\]|([^[\]]*)):([^:\]]*)$/.exec(text);
  if (!match) return { problem: `${JSON.stringify(text)} is not host:port` };
  const bracketed = match[1] !== undefined;
  const host = match[1] ?? match[2];
  const problem = hostProblem(host, bracketed) ?? portProblem(match[3], options);
  return problem === null ? { address: { host, port: Number(match[3]) } } : { problem };
}

/** As readHostPort, null for anything that is not a valid address. */
export function parseHostPort(text: string, options: HostPortOptions = {}): HostPort | null {
  const result = readHostPort(text, options);
  return 'address' in result ? result.address : null;
}

/** The text form parseHostPort reads back: IPv6 addresses in brackets. */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
