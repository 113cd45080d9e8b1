export interface CurrentSample {
  /** Milliseconds since sampling started, when the reading was asked for. */
  atMs: number;
  milliamps: number;
}

export interface SamplingResult {
  samples: number;
  /** Sample times that passed while an earlier reading was still on its way. */
  missed: number;
  elapsedMs: number;
}

/**
 * Reads the DUT current at a fixed rate for a while: one STM `current` a sample, at times 0,
 * 1/rate, 2/rate… before `durationMs`. The STM takes one command at a time, so other users
 * get their turn between samples; a reading slower than the period skips the times it
 * overran (counted as missed) instead of bunching up. Stops early when `signal` aborts.
 */
export async function sampleCurrent(
  read: () => Promise<number>,
  options: { rateHz: number; durationMs: number; signal?: AbortSignal },
  onSample: (sample: CurrentSample) => void,
): Promise<SamplingResult> {
  const periodMs = 1000 / options.rateHz;
  const started = performance.now();
  const since = () => performance.now() - started;
  let samples = 0;
  let missed = 0;
  for (let slot = 0; slot * periodMs < options.durationMs; slot++) {
    // Timers may fire a millisecond early (libuv rounds to its cached loop time): sleep again
    // rather than take a sample ahead of its time.
    for (let wait = slot * periodMs - since(); wait > 0; wait = slot * periodMs - since()) {
      await sleep(Math.max(1, wait), options.signal);
      if (options.signal?.aborted) break;
    }
    if (options.signal?.aborted) break;
    // Woken late past the end (a busy board): the slots left are missed, none is read late.
    if (since() >= options.durationMs) {
      missed += Math.ceil(options.durationMs / periodMs) - slot;
      break;
    }
    const atMs = Math.round(since());
    onSample({ atMs, milliamps: await read() });
    samples++;
    const next = Math.ceil(since() / periodMs);
    if (next > slot + 1) {
      const skipped = Math.min(next, Math.ceil(options.durationMs / periodMs)) - slot - 1;
      missed += Math.max(0, skipped);
      slot = next - 1;
    }
  }
  return { samples, missed, elapsedMs: Math.round(since()) };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}
