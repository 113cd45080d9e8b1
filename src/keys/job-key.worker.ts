/**
 * Worker-thread entry of JobKeyPool: generates one job key pair per message, so the ~100 ms
 * of prime search never runs on the server's event loop.
 */
import { parentPort } from 'node:worker_threads';
import type { GeneratedKey } from './key-generator-thread';
import { generateJobKeyPair } from './rsa-key';

parentPort?.on('message', () => {
  const started = performance.now();
  const pair = generateJobKeyPair();
  const key: GeneratedKey = { pair, ms: performance.now() - started };
  parentPort?.postMessage(key);
});
