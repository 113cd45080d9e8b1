/** The most samples a second: what upstream's client recorded, and what the line carries. */
export const MAX_SAMPLE_RATE_HZ = 333;
export const MAX_SAMPLE_DURATION_MS = 600_000;
const DEFAULT_RATE_HZ = 10;
const DEFAULT_DURATION_MS = 10_000;

export interface SamplingOptions {
  rateHz: number;
  durationMs: number;
}

/**
 * `current --rate HZ --duration D` (also `--rate=HZ`). D is `500ms`, `5s`, `2m`, or a plain
 * number of seconds. Returns an error text for anything else.
 */
export function parseSamplingOptions(args: string[]): SamplingOptions | string {
  const options: SamplingOptions = { rateHz: DEFAULT_RATE_HZ, durationMs: DEFAULT_DURATION_MS };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=', 2);
    if (flag !== '--rate' && flag !== '--duration') return `unknown option "${args[i]}"`;
    const value = inline ?? args[++i];
    if (flag === '--rate') {
      const rate = Number(value);
      if (!Number.isInteger(rate) || rate < 1 || rate > MAX_SAMPLE_RATE_HZ)
        return `--rate must be a whole number of samples a second, 1..${MAX_SAMPLE_RATE_HZ}`;
      options.rateHz = rate;
    } else {
      const ms = durationMs(value);
      if (ms === null || ms < 1 || ms > MAX_SAMPLE_DURATION_MS)
        return `--duration must be like 500ms, 5s or 2m, at most ${MAX_SAMPLE_DURATION_MS / 60_000}m`;
      options.durationMs = ms;
    }
  }
  return options;
}

function durationMs(text: string | undefined): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text ?? '');
  if (!m) return null;
  const scale = m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000;
  return Math.round(Number(m[1]) * scale);
}
