import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface FlashProgress {
  bytes: number;
  elapsedMs: number;
}

/**
 * Streams an image onto the SD card device. The device is opened write-only without create or
 * truncate (a block device has neither), written sequentially with back-pressure from the
 * source, and fsynced before we claim success: a tester pulls the card right after.
 */
export async function writeImage(
  source: Readable,
  device: string,
  onProgress: (progress: FlashProgress) => void,
  progressEveryMs = 1000,
): Promise<number> {
  let handle;
  try {
    handle = await open(device, constants.O_WRONLY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new Error(`SD card device ${device} not found: is a card in the MuxPi's slot?`, {
        cause: error,
      });
    if (code === 'EACCES' || code === 'EPERM')
      throw new Error(
        `no permission to write ${device}: the agent must run as root or in group "disk"`,
        {
          cause: error,
        },
      );
    throw new Error(`cannot open ${device}: ${(error as Error).message}`, { cause: error });
  }
  const started = Date.now();
  let bytes = 0;
  let lastReport = started;
  try {
    for await (const data of chunksOf(source)) {
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset, bytes);
        offset += bytesWritten;
        bytes += bytesWritten;
      }
      const now = Date.now();
      if (now - lastReport >= progressEveryMs) {
        lastReport = now;
        onProgress({ bytes, elapsedMs: now - started });
      }
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  onProgress({ bytes, elapsedMs: Date.now() - started });
  return bytes;
}

/**
 * Yields the chunks of `source`, pausing it while the consumer works. Unlike `for await` on the
 * stream itself this does not destroy the source at the end: it is the SSH channel, which must
 * stay open to carry the exit status.
 */
async function* chunksOf(source: Readable): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const onData = (chunk: Buffer | string) => {
    queue.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    source.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (error: Error) => {
    failure = error;
    notify();
  };
  const onClose = () => {
    if (!ended) failure ??= new Error('the image stream closed before its end: image incomplete');
    notify();
  };
  source.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  try {
    for (;;) {
      if (queue.length > 0) {
        yield queue.shift() as Buffer;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      source.resume();
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    source.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${bytes} bytes`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
