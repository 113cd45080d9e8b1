/**
 * Worker-thread entry of JobKeyPool: generates one job key pair per message, so the ~100 ms
 * of prime search never runs on the server's event loop.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { GeneratedKey } from './key-generator-thread';
import { generateJobKeyPair } from './rsa-key';

// Keys are made in the time the server leaves idle: on Linux, setpriority() of "this process"
// applies to the calling thread only, so this thread yields the CPU to the event loop and the
// database threads whenever they want it. (Elsewhere it would lower the whole server: skipped.)
if (process.platform === 'linux') setPriority(19);

parentPort?.on('message', () => {
  const started = performance.now();
  const pair = generateJobKeyPair();
  const key: GeneratedKey = { pair, ms: performance.now() - started };
  parentPort?.postMessage(key);
});
