import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppConfig } from '../config/app-config';
import { JobKeyPair } from './rsa-key';

interface Generated {
  pair: JobKeyPair;
  ms: number;
}

/**
 * Job key pairs generated ahead of need on worker threads, so preparing a board never waits
 * for key generation while the pool lasts (LESHY_KEY_POOL keys are kept ready). When the pool
 * is empty, take() waits for the next key; every key is used once.
 */
@Injectable()
export class JobKeyPool implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JobKeyPool.name);
  private readonly ready: JobKeyPair[] = [];
  private readonly waiters: Array<(pair: JobKeyPair) => void> = [];
  private readonly threads: Array<{ worker: Worker; busy: boolean }> = [];
  private stopped = false;
  private generated = 0;
  private generationMs = 0;

  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    const script = workerScript();
    for (let i = 0; i < this.config.keyThreads; i++) {
      const worker = new Worker(script);
      const thread = { worker, busy: false };
      worker.on('message', (result: Generated) => this.onGenerated(thread, result));
      worker.on('error', (error) =>
        this.logger.error(`key generator thread failed: ${error.message}`),
      );
      worker.unref();
      this.threads.push(thread);
    }
    this.refill();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  /** A fresh key pair, never handed out before. */
  take(): Promise<JobKeyPair> {
    const pair = this.ready.shift();
    const result = pair
      ? Promise.resolve(pair)
      : new Promise<JobKeyPair>((resolve) => this.waiters.push(resolve));
    this.refill();
    return result;
  }

  stats(): { ready: number; generated: number; averageMs: number } {
    return {
      ready: this.ready.length,
      generated: this.generated,
      averageMs: this.generated ? this.generationMs / this.generated : 0,
    };
  }

  private onGenerated(thread: { worker: Worker; busy: boolean }, { pair, ms }: Generated): void {
    thread.busy = false;
    // An idle generator must not keep the process alive; a busy one must (someone may wait).
    thread.worker.unref();
    this.generated++;
    this.generationMs += ms;
    const waiter = this.waiters.shift();
    if (waiter) waiter(pair);
    else this.ready.push(pair);
    this.refill();
  }

  /** Keeps every thread busy while keys are missing: the pool's target plus everyone waiting. */
  private refill(): void {
    if (this.stopped) return;
    for (const thread of this.threads) {
      const inFlight = this.threads.filter((t) => t.busy).length;
      if (this.ready.length + inFlight >= this.config.keyPoolSize + this.waiters.length) return;
      if (thread.busy) continue;
      thread.busy = true;
      thread.worker.ref();
      thread.worker.postMessage('generate');
    }
  }
}

/**
 * The compiled worker entry. Under ts-jest/swc the service runs from src/, where Node cannot
 * start a .ts worker, so the build output is used (npm test builds first).
 */
function workerScript(): string {
  const sibling = path.join(__dirname, 'job-key.worker.js');
  if (existsSync(sibling)) return sibling;
  const built = path.resolve(__dirname, '../../dist/src/keys/job-key.worker.js');
  if (existsSync(built)) return built;
  throw new Error(`job key worker not found at ${sibling} or ${built}: run "npm run build" first`);
}
