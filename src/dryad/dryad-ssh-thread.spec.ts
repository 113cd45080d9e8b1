import { Logger } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import type { AppConfig } from '../config/app-config';
import type { ServerSshKeyService } from '../keys/server-ssh-key.service';
import { DryadOperationError, DryadTarget } from './dryad.port';
import { DryadSshThread } from './dryad-ssh-thread';
import type { SshThreadData } from './dryad-ssh-messages';

const target: DryadTarget = { uuid: 'w-1', controlAddr: '127.0.0.1:1', hostKey: 'k' };

/**
 * A stand-in SSH thread (a unit test of DryadSshThread, not of SSH): it answers its first call
 * as connected, fails its second as an operation error and its third as a bug, and crashes at
 * the fourth.
 */
const SCRIPTED_THREAD = `
const { parentPort } = require('node:worker_threads');
let calls = 0;
parentPort.on('message', (m) => {
  if (m.kind === 'close') return parentPort.close();
  if (m.kind !== 'call') return;
  calls++;
  const uuid = m.args[0].uuid;
  if (calls === 1) parentPort.postMessage({ kind: 'answer', id: m.id, uuid, connected: true, value: { username: 'job-1' } });
  else if (calls === 2) parentPort.postMessage({ kind: 'failure', id: m.id, uuid, connected: true, error: { dryad: true, message: 'prepare failed on the agent: no STM' } });
  else if (calls === 3) parentPort.postMessage({ kind: 'failure', id: m.id, uuid, connected: true, error: { dryad: false, message: 'a bug' } });
  else throw new Error('the thread broke');
});`;

class ScriptedDryadSshThread extends DryadSshThread {
  readonly spawned: SshThreadData[] = [];

  protected override spawnWorker(workerData: SshThreadData): Worker {
    this.spawned.push(workerData);
    return new Worker(SCRIPTED_THREAD, { eval: true, workerData });
  }
}

function scripted(): ScriptedDryadSshThread {
  return new ScriptedDryadSshThread(
    { privateKey: 'the-server-key' } as ServerSshKeyService,
    { dryadTimeoutMs: 1_000 } as AppConfig,
  );
}

describe('DryadSshThread', () => {
  let errors: jest.SpyInstance;
  beforeEach(() => {
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => errors.mockRestore());

  it("starts its thread at the first operation, with the server's key and the time limit", async () => {
    const ssh = scripted();
    expect(ssh.spawned).toEqual([]);
    expect(ssh.hasConnection(target.uuid)).toBe(false);
    await expect(ssh.prepare(target, 'ssh-ed25519 AAAA job')).resolves.toEqual({
      username: 'job-1',
    });
    expect(ssh.spawned).toEqual([{ privateKey: 'the-server-key', timeoutMs: 1_000 }]);
    expect(ssh.hasConnection(target.uuid)).toBe(true);
    await ssh.onApplicationShutdown();
  });

  it("gives back an agent's refusal as a DryadOperationError, anything else as an Error", async () => {
    const ssh = scripted();
    await ssh.healthcheck(target);
    const refused = ssh.healthcheck(target);
    await expect(refused).rejects.toBeInstanceOf(DryadOperationError);
    await expect(refused).rejects.toThrow('prepare failed on the agent: no STM');
    const bug = await ssh.healthcheck(target).catch((error: Error) => error);
    expect(bug).toBeInstanceOf(Error);
    expect(bug).not.toBeInstanceOf(DryadOperationError);
    expect((bug as Error).message).toBe('a bug');
    await ssh.onApplicationShutdown();
  });

  it('a thread that dies fails its operations, loses its connections and is started again', async () => {
    const ssh = scripted();
    const lost: Array<[string, string]> = [];
    ssh.events.on('lost', (uuid: string, reason: string) => lost.push([uuid, reason]));
    for (let i = 0; i < 3; i++) await ssh.status(target).catch(() => undefined);
    expect(ssh.hasConnection(target.uuid)).toBe(true);

    await expect(ssh.status(target)).rejects.toThrow(
      new DryadOperationError("the server's SSH thread stopped: the thread broke"),
    );
    expect(lost).toEqual([[target.uuid, "the server's SSH thread stopped: the thread broke"]]);
    expect(ssh.hasConnection(target.uuid)).toBe(false);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining('the SSH thread stopped'));

    await expect(ssh.prepare(target, 'ssh-ed25519 AAAA job')).resolves.toEqual({
      username: 'job-1',
    });
    expect(ssh.spawned).toHaveLength(2);
    await ssh.onApplicationShutdown();
  });

  it('forgets a connection at once, and refuses operations once shutting down', async () => {
    const ssh = scripted();
    await ssh.prepare(target, 'ssh-ed25519 AAAA job');
    ssh.forget(target.uuid);
    expect(ssh.hasConnection(target.uuid)).toBe(false);
    await ssh.onApplicationShutdown();
    await expect(ssh.healthcheck(target)).rejects.toThrow(
      new DryadOperationError('the server is shutting down'),
    );
    expect(errors).not.toHaveBeenCalled();
  });
});
