import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '../../src/config/load-config';
import { JobKeyPool } from '../../src/keys/job-key-pool.service';
import { generateJobKeyPair } from '../../src/keys/rsa-key';
import { percentile } from './percentiles';

const SUSTAINED_KEYS = 60;

function averageMs(count: number, work: () => unknown): number {
  const started = performance.now();
  for (let i = 0; i < count; i++) work();
  return (performance.now() - started) / count;
}

async function poolRates(threads: number): Promise<{ burstP99: number; sustained: number }> {
  const pool = new JobKeyPool(
    loadConfig({ LESHY_KEY_POOL: '16', LESHY_KEY_THREADS: String(threads) }),
  );
  pool.onModuleInit();
  while (pool.stats().ready < 16) await new Promise((resolve) => setTimeout(resolve, 20));
  // A burst of 16 jobs takes prewarmed keys.
  const waits: number[] = [];
  for (let i = 0; i < 16; i++) {
    const started = performance.now();
    await pool.take();
    waits.push(performance.now() - started);
  }
  // Then a long run drains the pool: the rate is what the threads produce.
  const started = performance.now();
  for (let i = 0; i < SUSTAINED_KEYS; i++) await pool.take();
  const sustained = SUSTAINED_KEYS / ((performance.now() - started) / 1000);
  await pool.onApplicationShutdown();
  return { burstP99: percentile(waits, 99), sustained };
}

export async function keyBench(): Promise<void> {
  console.log('== job keys (RSA-2048, PKCS#1) ==');
  const openssl = averageMs(5, () => generateKeyPairSync('rsa', { modulusLength: 2048 }));
  const ours = averageMs(20, () => generateJobKeyPair());
  console.log(
    `one key on one core: OpenSSL generateKeyPair ${openssl.toFixed(0)} ms, two generatePrime primes ${ours.toFixed(0)} ms`,
  );
  for (const threads of [1, 2]) {
    const { burstP99, sustained } = await poolRates(threads);
    console.log(
      `pool of 16, ${threads} thread(s): burst of 16 jobs waits p99 ${burstP99.toFixed(2)} ms per key, sustained ${sustained.toFixed(1)} keys/s`,
    );
  }
}
