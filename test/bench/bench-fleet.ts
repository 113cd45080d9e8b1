import * as path from 'node:path';
import { AgentProcess, startAgentProcess } from '../support/agent-process';
import { rawRequest } from '../support/http-client';

const json = (body: unknown) => ({
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * `dryad-agent fleet --count N` with caps board=bench as a process, registered with the server
 * and every board set IDLE over API v1 (the server must let anonymous v1 callers be admins).
 * The caller stops the fleet; a refused setstate stops the bench instead of timing out later.
 */
export async function startBenchFleet(
  serverUrl: string,
  token: string,
  boards: number,
  dataDir: string,
): Promise<AgentProcess> {
  const fleet = startAgentProcess([
    'fleet',
    ...['--count', String(boards), '--server', serverUrl, '--token', token],
    ...['--caps', 'board=bench', '--base-port', '0', '--log-level', 'warn'],
    ...['--data-dir', path.join(dataDir, 'fleet')],
  ]);
  try {
    await fleet.waitForOutput(
      new RegExp(`${boards} boards registered`),
      'the fleet to register',
      120_000,
    );
    const listed = JSON.parse(
      (await rawRequest(serverUrl, 'POST', '/api/v1/workers/list', json({}))).body,
    ) as Array<{ WorkerUUID: string }>;
    for (const w of listed) {
      const set = await rawRequest(
        serverUrl,
        'POST',
        `/api/v1/workers/${w.WorkerUUID}/setstate`,
        json({ WorkerState: 'IDLE' }),
      );
      if (set.status !== 204)
        throw new Error(`setstate ${w.WorkerUUID}: ${set.status} ${set.body}`);
    }
    return fleet;
  } catch (error) {
    await fleet.stop();
    throw error;
  }
}
