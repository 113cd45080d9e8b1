import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { threadScript } from '../common/thread-script';
import { AppConfig } from '../config/app-config';
import { KeyGenerationUnavailableError } from './job-key.errors';
import { GeneratedKey, KeyGeneratorThread } from './key-generator-thread';
import { JobKeyPair } from './rsa-key';

/**
 * How many times in a row a generator thread may die without producing a key and still be
 * replaced. A thread that dies now and then (out of memory, a native fault) is replaced every
 * time, since each key it delivers resets the count; one that cannot even start (a broken build)
 * would otherwise be restarted forever.
 */
export const MAX_RESTARTS_IN_A_ROW = 3;

interface Waiter {
  resolve(pair: JobKeyPair): void;
  reject(error: Error): void;
}

/**
 * Job key pairs generated ahead of need on worker threads, so preparing a board never waits
 * for key generation while the pool lasts (LESHY_KEY_POOL keys are kept ready). When the pool
 * is empty, take() waits for the next key; every key is used once. A generator thread that dies
 * is replaced (see MAX_RESTARTS_IN_A_ROW); when none is left, take() fails instead of waiting
 * for ever, so a worker being prepared goes FAILED with the reason rather than stay in PREPARE.
 */
@Injectable()
export class JobKeyPool implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JobKeyPool.name);
  private readonly ready: JobKeyPair[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly threads: KeyGeneratorThread[] = [];
  private stopped = false;
  private generated = 0;
  private generationMs = 0;
  private restarts = 0;

  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    for (let i = 0; i < this.config.keyThreads; i++) this.threads.push(this.startThread(0));
    this.refill();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.failWaiters(SHUTTING_DOWN);
    await Promise.all(this.threads.map((t) => t.terminate()));
  }

  /** A fresh key pair, never handed out before. */
  take(): Promise<JobKeyPair> {
    const pair = this.ready.shift();
    if (pair) {
      this.refill();
      return Promise.resolve(pair);
    }
    if (this.stopped || this.threads.length === 0) {
      const why = this.stopped ? SHUTTING_DOWN : NO_THREADS_LEFT;
      return Promise.reject(new KeyGenerationUnavailableError(why));
    }
    const waiting = new Promise<JobKeyPair>((resolve, reject) =>
      this.waiters.push({ resolve, reject }),
    );
    this.refill();
    return waiting;
  }

  stats(): {
    ready: number;
    generated: number;
    averageMs: number;
    /** Keys being generated right now. */
    generating: number;
    /** Generator threads alive. */
    threads: number;
    /** Generator threads replaced after they died. */
    restarts: number;
  } {
    return {
      ready: this.ready.length,
      generated: this.generated,
      averageMs: this.generated ? this.generationMs / this.generated : 0,
      generating: this.threads.filter((t) => t.busy).length,
      threads: this.threads.length,
      restarts: this.restarts,
    };
  }

  /** A new generator thread; the seam where a test starts a thread that crashes. */
  protected spawnWorker(): Worker {
    return new Worker(threadScript(__dirname, 'job-key.worker.js'));
  }

  private startThread(crashesInARow: number): KeyGeneratorThread {
    return new KeyGeneratorThread(this.spawnWorker(), crashesInARow, {
      generated: (thread, key) => this.onGenerated(thread, key),
      died: (thread, why) => this.onDied(thread, why),
    });
  }

  private onGenerated(thread: KeyGeneratorThread, { pair, ms }: GeneratedKey): void {
    thread.crashesInARow = 0;
    this.generated++;
    this.generationMs += ms;
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(pair);
    else this.ready.push(pair);
    this.refill();
  }

  private onDied(thread: KeyGeneratorThread, why: string): void {
    const slot = this.threads.indexOf(thread);
    if (this.stopped || slot < 0) return;
    const crashes = thread.crashesInARow + 1;
    if (crashes <= MAX_RESTARTS_IN_A_ROW) {
      this.logger.error(
        `key generator thread died (${why}); replacing it (restart ${crashes} of ${MAX_RESTARTS_IN_A_ROW} in a row)`,
      );
      try {
        this.threads[slot] = this.startThread(crashes);
        this.restarts++;
        this.refill();
        return;
      } catch (error) {
        why = `${why}; its replacement could not start: ${(error as Error).message}`;
      }
    }
    this.threads.splice(slot, 1);
    this.logger.error(
      `key generator thread died (${why}) and is not replaced: ${this.threads.length} of ${this.config.keyThreads} left`,
    );
    if (this.threads.length === 0) this.failWaiters(NO_THREADS_LEFT);
  }

  private failWaiters(why: string): void {
    for (const waiter of this.waiters.splice(0))
      waiter.reject(new KeyGenerationUnavailableError(why));
  }

  /** Keeps every thread busy while keys are missing: the pool's target plus everyone waiting. */
  private refill(): void {
    if (this.stopped) return;
    for (const thread of this.threads) {
      const inFlight = this.threads.filter((t) => t.busy).length;
      if (this.ready.length + inFlight >= this.config.keyPoolSize + this.waiters.length) return;
      if (thread.busy) continue;
      thread.generate();
    }
  }
}

const SHUTTING_DOWN = 'the server is shutting down';
const NO_THREADS_LEFT =
  'every key generator thread died repeatedly without producing a key (see the log); restart the server';
