/**
 * Test helper: polls a condition until it holds or the timeout passes. Tests wait for the
 * state they need instead of sleeping and hoping.
 */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 3000,
  everyMs = 5,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Collects everything a stream emits, as latin1 text. */
export function collect(stream: NodeJS.ReadableStream): { text: () => string; clear: () => void } {
  let buffer = '';
  stream.on('data', (chunk: Buffer | string) => {
    buffer += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
  });
  return { text: () => buffer, clear: () => (buffer = '') };
}
