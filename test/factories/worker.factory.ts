import { ADMIN, AGENT } from '../support/actors';
import { randomUUID } from 'node:crypto';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import type { Caps } from 'dryad-agent/protocol';
import { WorkerView } from '../../src/events/domain-event';
import { RegisterWorkerInput } from '../../src/workers/workers.service';
import type { TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const hostKey = generateEd25519KeyPair().public.trim();

export function workerRegistration(
  overrides: Partial<RegisterWorkerInput> = {},
): RegisterWorkerInput {
  return {
    uuid: randomUUID(),
    caps: { board: 'rpi4' },
    controlAddr: '127.0.0.1:2222',
    sshAddr: '127.0.0.1:2222',
    hostKey,
    accessMode: 'embedded',
    ...overrides,
  };
}

/** Registers a worker and brings it to IDLE through the admin path (MAINTENANCE → PREPARE → IDLE). */
export async function idleWorker(
  t: TestApp,
  caps: Caps = { board: 'rpi4' },
  groups: string[] = [],
): Promise<WorkerView> {
  const { uuid } = await t.workers.register(workerRegistration({ caps }), AGENT);
  if (groups.length) await t.workers.setGroups(uuid, groups, ADMIN);
  await t.workers.setState(uuid, 'IDLE', ADMIN);
  return waitFor<WorkerView | null>(async () => {
    const worker = await t.workers.get(uuid);
    return worker.state === 'IDLE' || worker.state === 'RUNNING' ? worker : null;
  }, `worker ${uuid} to become IDLE`) as Promise<WorkerView>;
}
