/**
 * Worker-thread entry of DryadSshThread: the SSH client of every agent (ssh2's packets, their
 * ciphers and MACs) runs here, beside the event loop that serves HTTP and the database.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DryadTarget } from './dryad.port';
import { DryadOperationError } from './dryad.port';
import type { FromSshThread, SshThreadData, ToSshThread } from './dryad-ssh-messages';
import { SshDryadClient } from './ssh-dryad.client';

const port = parentPort;
if (!port) throw new Error('dryad-ssh.worker runs as a worker thread only');
const send = (message: FromSshThread) => port.postMessage(message);
const { privateKey, timeoutMs } = workerData as SshThreadData;
const client = new SshDryadClient({
  privateKey,
  timeoutMs,
  warn: (message, fields) => send({ kind: 'warn', message, fields }),
});
client.events.on('lost', (uuid: string, reason: string) => send({ kind: 'lost', uuid, reason }));

port.on('message', (message: ToSshThread) => {
  if (message.kind === 'forget') return client.forget(message.uuid);
  if (message.kind === 'close') {
    client.close();
    return port.close();
  }
  const { id, operation, args } = message;
  const uuid = (args[0] as DryadTarget).uuid;
  const call = client[operation] as (...args: unknown[]) => Promise<unknown>;
  call.apply(client, args).then(
    (value) => send({ kind: 'answer', id, uuid, connected: client.hasConnection(uuid), value }),
    (error: Error) =>
      send({
        kind: 'failure',
        id,
        uuid,
        connected: client.hasConnection(uuid),
        error: { dryad: error instanceof DryadOperationError, message: error.message },
      }),
  );
});
