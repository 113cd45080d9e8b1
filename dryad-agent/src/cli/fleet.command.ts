import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FleetRunner } from '../fleet/fleet.runner';
import type { LogLevel } from '../log/logger';
import { CliError, CliExit } from './cli.errors';

export interface FleetArgs {
  count?: string;
  server?: string;
  token?: string;
  caps?: string;
  'base-port'?: string;
  host?: string;
  'data-dir'?: string;
  'heartbeat-ms'?: string;
  'log-level'?: string;
}

export async function fleetCommand(
  args: FleetArgs,
  print: (line: string) => void,
): Promise<number> {
  const usage = (message: string) =>
    new CliError(`${message}\nsee: dryad-agent help fleet`, CliExit.Usage);
  const count = Number(args.count);
  if (!args.count || !Number.isInteger(count) || count < 1 || count > 1000)
    throw usage('--count must be a whole number 1..1000');
  if (!args.server) throw usage('--server URL is required, e.g. --server http://127.0.0.1:8487');
  try {
    const u = new URL(args.server);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw usage(`--server must be an http(s) URL, got "${args.server}"`);
  }
  if (!args.token) throw usage('--token TOKEN is required (an agent token from the server)');
  const basePort = Number(args['base-port'] ?? 0);
  if (
    !Number.isInteger(basePort) ||
    basePort < 0 ||
    (basePort > 0 && basePort + count - 1 > 65535)
  ) {
    throw usage(
      '--base-port must be 0 (ephemeral) or a port such that base-port + count - 1 <= 65535',
    );
  }
  const caps: Record<string, string> = {};
  for (const pair of (args.caps ?? '').split(',').filter(Boolean)) {
    const m = /^([A-Za-z0-9_.-]+)=(.*)$/.exec(pair.trim());
    if (!m || m[1] === 'UUID')
      throw usage(`--caps takes key=value pairs separated by commas (not UUID), got "${pair}"`);
    caps[m[1]] = m[2];
  }
  const heartbeat = Number(args['heartbeat-ms'] ?? 30_000);
  if (!Number.isInteger(heartbeat) || heartbeat < 100)
    throw usage('--heartbeat-ms must be a whole number >= 100');
  const logLevel = (args['log-level'] ?? 'warn') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    throw usage('--log-level must be debug, info, warn or error');
  const dataDir = args['data-dir']
    ? resolve(args['data-dir'])
    : mkdtempSync(join(tmpdir(), 'dryad-fleet-'));

  const fleet = new FleetRunner({
    count,
    serverUrl: args.server.replace(/\/+$/, ''),
    token: args.token,
    caps,
    basePort,
    host: args.host ?? '127.0.0.1',
    dataDir,
    logLevel,
    heartbeatIntervalMs: heartbeat,
    print,
  });
  const stopped = new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  try {
    await Promise.race([fleet.start(), stopped]);
  } catch (error) {
    await fleet.stop();
    throw new CliError(`fleet could not start: ${(error as Error).message}`);
  }
  await stopped;
  print('fleet: stopping');
  await fleet.stop();
  return CliExit.Ok;
}
