import { Worker } from 'node:worker_threads';
import { JobKeyPair } from './rsa-key';

/** What job-key.worker.ts answers to one "generate" message. */
export interface GeneratedKey {
  pair: JobKeyPair;
  ms: number;
}

export interface KeyGeneratorListener {
  generated(thread: KeyGeneratorThread, key: GeneratedKey): void;
  /** The thread is gone (an uncaught error in it, or an exit); called once. */
  died(thread: KeyGeneratorThread, why: string): void;
}

/**
 * One worker thread of JobKeyPool, generating one key per generate() call. Whatever ends the
 * thread — an uncaught error, process.exit() inside it, terminate(), a key that cannot be
 * deserialized — is reported once through died(), so the pool never waits for a key a dead
 * thread will not send.
 */
export class KeyGeneratorThread {
  busy = false;
  /** How many generator threads in a row died in this slot without producing a key. */
  crashesInARow: number;

  constructor(
    private readonly worker: Worker,
    crashesInARow: number,
    listener: KeyGeneratorListener,
  ) {
    this.crashesInARow = crashesInARow;
    let failure: string | null = null;
    worker.on('message', (key: GeneratedKey) => {
      this.busy = false;
      // An idle generator must not keep the process alive; a busy one must (someone may wait).
      worker.unref();
      listener.generated(this, key);
    });
    worker.on('error', (error: Error) => (failure = error.message));
    // The key that was being generated is lost; ending the thread hands the work to a new one.
    worker.on('messageerror', (error: Error) => {
      failure = `a key could not be received: ${error.message}`;
      void worker.terminate();
    });
    worker.once('exit', (code: number) => {
      this.busy = false;
      listener.died(this, failure ?? `exited with code ${code}`);
    });
    worker.unref();
  }

  generate(): void {
    this.busy = true;
    this.worker.ref();
    this.worker.postMessage('generate');
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
