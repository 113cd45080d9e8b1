import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AgentConfig } from '../config/agent.config';
import { buildConfig } from '../config/config.loader';

/** A valid agent config for tests: everything under `dir`, SSH on an ephemeral loopback port. */
export function testConfig(
  dir: string,
  serverUrl: string,
  overrides: Record<string, Record<string, unknown>> = {},
  top: Record<string, unknown> = {},
): AgentConfig {
  const table: Record<string, unknown> = {
    uuid: randomUUID(),
    data_dir: join(dir, 'data'),
    log_level: 'error',
    ...top,
    server: {
      url: serverUrl,
      token: 'agent-token',
      heartbeat_interval_ms: 60_000,
      ...overrides.server,
    },
    caps: { board: 'sim', ...overrides.caps },
    ssh: { listen: '127.0.0.1:0', ...overrides.ssh },
    stm: {
      path: join(dir, 'ttyS2'),
      timeout_ms: 500,
      probe_interval_ms: 60_000,
      healthcheck_tick_ms: 20,
      ...overrides.stm,
    },
    console: { path: join(dir, 'ttyS1'), check_interval_ms: 50, ...overrides.console },
    sdcard: { device: join(dir, 'sda'), ...overrides.sdcard },
  };
  return buildConfig(table, 'test', dir);
}
