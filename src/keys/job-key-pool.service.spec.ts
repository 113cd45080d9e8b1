import { Logger } from '@nestjs/common';
import { createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { waitFor } from '../../test/support/wait-for';
import { loadConfig } from '../config/load-config';
import { KeyGenerationUnavailableError } from './job-key.errors';
import { JobKeyPool, MAX_RESTARTS_IN_A_ROW } from './job-key-pool.service';
import { JobKeyPair } from './rsa-key';

/**
 * JobKeyPool with its real generator threads (the compiled worker in dist/: `npm run build`
 * first). The test keeps the threads it starts, to kill them; `replace` lets a test start a
 * thread that crashes in its own way instead of a real one.
 */
class ObservedPool extends JobKeyPool {
  readonly spawned: Worker[] = [];

  constructor(
    env: { pool: number; threads: number },
    private readonly replace: (nth: number) => Worker | null = () => null,
  ) {
    super(loadConfig({ LESHY_KEY_POOL: String(env.pool), LESHY_KEY_THREADS: String(env.threads) }));
  }

  protected override spawnWorker(): Worker {
    const worker = this.replace(this.spawned.length) ?? super.spawnWorker();
    this.spawned.push(worker);
    return worker;
  }
}

/** A generator thread whose code throws when it is asked for a key. */
const throwingThread = () =>
  new Worker(
    "require('node:worker_threads').parentPort.on('message', () => { throw new Error('generator bug') })",
    { eval: true },
  );

/** A generator thread that cannot even start. */
const exitingThread = () => new Worker('process.exit(3)', { eval: true });

const pools: JobKeyPool[] = [];
function started(pool: ObservedPool): ObservedPool {
  pools.push(pool);
  pool.onModuleInit();
  return pool;
}

/** Fails the test (instead of hanging until Jest's timeout) when a key never comes. */
function within<T>(promise: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function expectValidAndDistinct(keys: JobKeyPair[]): void {
  for (const key of keys) {
    expect(createPrivateKey(key.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
  }
  expect(new Set(keys.map((k) => k.privateKeyPem)).size).toBe(keys.length);
  expect(new Set(keys.map((k) => k.publicKeySsh)).size).toBe(keys.length);
}

/** The nice value of every thread of this process (Linux /proc), main thread first. */
function threadNiceValues(): number[] {
  // The main thread's id is the process id; sorting by id alone is not enough once ids wrap.
  const main = String(process.pid);
  return readdirSync('/proc/self/task')
    .sort((a, b) => (a === main ? -1 : b === main ? 1 : Number(a) - Number(b)))
    .map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces); nice is field 19 of stat(5).
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
}

const filled = (pool: JobKeyPool, size: number) =>
  waitFor(
    () => pool.stats().ready === size && pool.stats().generating === 0,
    `the pool to hold ${size} keys`,
    60_000,
  );

let logged: jest.SpyInstance;
beforeEach(() => {
  logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
});

afterEach(async () => {
  logged.mockRestore();
  await Promise.all(pools.splice(0).map((pool) => pool.onApplicationShutdown()));
});

describe('JobKeyPool', () => {
  it('fills to LESHY_KEY_POOL, serves a burst from ready keys, then serves waiters', async () => {
    const pool = started(new ObservedPool({ pool: 3, threads: 2 }));
    await filled(pool, 3);
    // Full means full: no thread keeps generating beyond the target.
    expect(pool.stats()).toMatchObject({ ready: 3, generated: 3, threads: 2 });

    // A burst as large as the pool is answered from the keys that are ready, before any
    // thread could have delivered another one.
    const burst = await Promise.all(
      [1, 2, 3].map(() => pool.take().then((key) => ({ key, generated: pool.stats().generated }))),
    );
    expect(burst.map((b) => b.generated)).toEqual([3, 3, 3]);

    // The pool is empty now: these wait for the threads.
    const waited = await within(Promise.all([pool.take(), pool.take()]), 'two waiting takes');
    expectValidAndDistinct([...burst.map((b) => b.key), ...waited]);
    await filled(pool, 3);
  });

  it('generates on threads of the lowest CPU priority, leaving the rest of the server alone', async () => {
    const before = threadNiceValues().filter((nice) => nice === 19).length;
    const pool = started(new ObservedPool({ pool: 2, threads: 2 }));
    await filled(pool, 2);
    const nice = threadNiceValues();
    expect(nice[0]).toBe(0);
    expect(nice.filter((value) => value === 19)).toHaveLength(before + 2);
  });

  it('replaces a thread that is killed while a waiter needs its key', async () => {
    const pool = started(new ObservedPool({ pool: 0, threads: 1 }));
    const waiting = pool.take();
    expect(pool.stats().generating).toBe(1);
    await pool.spawned[0].terminate();

    const key = await within(waiting, 'the take whose thread was killed');
    expectValidAndDistinct([key]);
    expect(pool.stats()).toMatchObject({ threads: 1, restarts: 1 });
    expect(pool.spawned).toHaveLength(2);
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/thread died .*replacing it/));
  });

  it('replaces a thread whose code throws, and fills up again', async () => {
    const pool = started(
      new ObservedPool({ pool: 2, threads: 1 }, (nth) => (nth === 0 ? throwingThread() : null)),
    );
    const key = await within(pool.take(), 'a take after the generator threw');
    expectValidAndDistinct([key]);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('generator bug'));
    await filled(pool, 2);
    expect(pool.stats()).toMatchObject({ threads: 1, restarts: 1 });
  });

  it('fails waiters with a clear error when no thread can produce a key', async () => {
    const pool = started(new ObservedPool({ pool: 2, threads: 2 }, () => exitingThread()));
    const waiting = pool.take();
    await expect(within(waiting, 'a take with crash-looping threads')).rejects.toThrow(
      KeyGenerationUnavailableError,
    );
    await expect(waiting).rejects.toThrow(
      /no job key can be generated: every key generator thread died/,
    );
    // Bounded: each slot is restarted MAX_RESTARTS_IN_A_ROW times, then given up.
    expect(pool.spawned).toHaveLength(2 * (1 + MAX_RESTARTS_IN_A_ROW));
    expect(pool.stats()).toMatchObject({ threads: 0, restarts: 2 * MAX_RESTARTS_IN_A_ROW });
    expect(logged).toHaveBeenCalledWith(
      expect.stringMatching(/exited with code 3\) and is not replaced/),
    );
    // Later takes fail at once instead of waiting for ever.
    await expect(within(pool.take(), 'a take with no threads left')).rejects.toThrow(
      KeyGenerationUnavailableError,
    );
  });

  it('fails waiters when the server shuts down', async () => {
    const pool = started(new ObservedPool({ pool: 0, threads: 1 }));
    const waiting = expect(within(pool.take(), 'a take during shutdown')).rejects.toThrow(
      /shutting down/,
    );
    await pool.onApplicationShutdown();
    await waiting;
  });
});
