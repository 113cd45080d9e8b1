import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { AgentStatus } from 'dryad-agent/protocol';
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { threadScript } from '../common/thread-script';
import { AppConfig } from '../config/app-config';
import { ServerSshKeyService } from '../keys/server-ssh-key.service';
import { DryadOperationError, DryadPort, DryadTarget } from './dryad.port';
import type {
  DryadOperation,
  FromSshThread,
  SshThreadData,
  ThreadFailure,
  ToSshThread,
} from './dryad-ssh-messages';
import { SshDryadClient } from './ssh-dryad.client';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** How long a closing thread may take to end its connections before it is terminated. */
const CLOSE_GRACE_MS = 2_000;

/**
 * DryadPort over SSH, with the SSH client (SshDryadClient) in a worker thread of its own:
 * every operation is a few encrypted packets each way, and under load those were an eighth
 * of the event loop's time, which serves HTTP and drives the database. The thread starts at
 * the first operation (the server's key exists by then) and again after it died; a death fails
 * the operations in flight and counts as the loss of every connection it held, as an agent's
 * own disconnect does. Emits `lost` (uuid, reason) as SshDryadClient does.
 */
@Injectable()
export class DryadSshThread extends DryadPort implements OnApplicationShutdown {
  private readonly logger = new Logger(SshDryadClient.name);
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  /** Agents the thread holds a connection to, as its last word about each said. */
  private readonly connected = new Set<string>();
  private nextId = 1;
  private closing: Promise<void> | null = null;
  readonly events = new EventEmitter();

  constructor(
    private readonly serverKey: ServerSshKeyService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  prepare(target: DryadTarget, jobPublicKey: string): Promise<{ username: string }> {
    return this.call('prepare', target, jobPublicKey);
  }

  putInMaintenance(target: DryadTarget, message: string): Promise<void> {
    return this.call('putInMaintenance', target, message);
  }

  healthcheck(target: DryadTarget): Promise<void> {
    return this.call('healthcheck', target);
  }

  status(target: DryadTarget): Promise<AgentStatus> {
    return this.call('status', target);
  }

  authorize(target: DryadTarget, publicKey: string, jobKeyFingerprint: string): Promise<void> {
    return this.call('authorize', target, publicKey, jobKeyFingerprint);
  }

  /** Drops the kept connection of a worker (deregistered, or its address changed). */
  forget(uuid: string): void {
    this.connected.delete(uuid);
    this.worker?.postMessage({ kind: 'forget', uuid } satisfies ToSshThread);
  }

  hasConnection(uuid: string): boolean {
    return this.connected.has(uuid);
  }

  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.closing ??= new Promise<void>((done) => {
      const terminate = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
      worker.once('exit', () => {
        clearTimeout(terminate);
        done();
      });
      worker.postMessage({ kind: 'close' } satisfies ToSshThread);
    });
    await this.closing;
  }

  private call<T>(operation: DryadOperation, ...args: unknown[]): Promise<T> {
    if (this.closing) {
      return Promise.reject(new DryadOperationError('the server is shutting down'));
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      const message: ToSshThread = { kind: 'call', id, operation, args };
      this.thread().postMessage(message);
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const workerData: SshThreadData = {
      privateKey: this.serverKey.privateKey,
      timeoutMs: this.config.dryadTimeoutMs,
    };
    const worker = this.spawnWorker(workerData);
    let failure: string | null = null;
    worker.on('message', (message: FromSshThread) => this.receive(message));
    worker.on('error', (error: Error) => (failure = error.message));
    worker.once('exit', (code: number) => this.died(worker, failure ?? `exited with code ${code}`));
    // Its connections must not keep a server that is otherwise done alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** A new SSH thread; the seam where a test starts one that crashes. */
  protected spawnWorker(workerData: SshThreadData): Worker {
    return new Worker(threadScript(__dirname, 'dryad-ssh.worker.js'), { workerData });
  }

  private receive(message: FromSshThread): void {
    switch (message.kind) {
      case 'answer':
      case 'failure': {
        if (message.connected) this.connected.add(message.uuid);
        else this.connected.delete(message.uuid);
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.kind === 'answer') pending?.resolve(message.value);
        else pending?.reject(errorFrom(message.error));
        return;
      }
      case 'lost':
        this.connected.delete(message.uuid);
        this.events.emit('lost', message.uuid, message.reason);
        return;
      case 'warn':
        this.logger.warn(message.message, message.fields);
        return;
    }
  }

  private died(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const inFlight = [...this.pending.values()];
    this.pending.clear();
    const lost = [...this.connected];
    this.connected.clear();
    const failure = this.closing
      ? 'the server is shutting down'
      : `the server's SSH thread stopped: ${why}`;
    for (const call of inFlight) call.reject(new DryadOperationError(failure));
    if (this.closing) return;
    this.logger.error(`the SSH thread stopped (${why}); it starts again at the next operation`);
    for (const uuid of lost) {
      this.events.emit('lost', uuid, `the server's SSH thread stopped: ${why}`);
    }
  }
}

function errorFrom(failure: ThreadFailure): Error {
  return failure.dryad ? new DryadOperationError(failure.message) : new Error(failure.message);
}
