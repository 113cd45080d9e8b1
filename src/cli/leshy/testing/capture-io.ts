import { PassThrough } from 'node:stream';
import type { Io } from '../output';

/** An Io whose output the test reads. */
export function captureIo(): Io & { out(): string; err(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, out: () => out, err: () => err };
}
