import { CurrentSample, sampleCurrent } from './current.sampler';

describe('sampleCurrent', () => {
  it('samples at the rate for the duration, at times 0, 1/rate, 2/rate …', async () => {
    const samples: CurrentSample[] = [];
    let reading = 100;
    const result = await sampleCurrent(
      async () => reading++,
      { rateHz: 50, durationMs: 200 },
      (s) => samples.push(s),
    );
    expect(result.samples + result.missed).toBe(10);
    expect(samples.length).toBe(result.samples);
    expect(samples[0]).toEqual({ atMs: expect.any(Number), milliamps: 100 });
    // Never ahead of schedule: sample i is not taken before i × 20 ms.
    samples.forEach((s, i) => expect(s.atMs).toBeGreaterThanOrEqual(i * 20 - 1));
  });

  it('skips the times a slow reading overran and counts them as missed, never bunching up', async () => {
    const samples: CurrentSample[] = [];
    const slow = () => new Promise<number>((resolve) => setTimeout(() => resolve(7), 25));
    const result = await sampleCurrent(slow, { rateHz: 100, durationMs: 100 }, (s) =>
      samples.push(s),
    );
    expect(result.samples + result.missed).toBe(10);
    expect(result.missed).toBeGreaterThanOrEqual(5);
    const gaps = samples.slice(1).map((s, i) => s.atMs - samples[i].atMs);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(20);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    let count = 0;
    const result = await sampleCurrent(
      async () => 1,
      { rateHz: 10, durationMs: 60_000, signal: controller.signal },
      () => {
        if (++count === 2) controller.abort();
      },
    );
    expect(result.samples).toBe(2);
    expect(result.elapsedMs).toBeLessThan(1000);
  });
});
