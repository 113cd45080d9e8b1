import { parseSamplingOptions } from './current-sampling.options';

describe('parseSamplingOptions', () => {
  it('reads --rate and --duration, with = or as the next word, and defaults the rest', () => {
    expect(parseSamplingOptions(['--rate', '100', '--duration', '5s'])).toEqual({
      rateHz: 100,
      durationMs: 5000,
    });
    expect(parseSamplingOptions(['--rate=333'])).toEqual({ rateHz: 333, durationMs: 10_000 });
    expect(parseSamplingOptions(['--duration=500ms'])).toEqual({ rateHz: 10, durationMs: 500 });
    expect(parseSamplingOptions(['--duration', '2m'])).toMatchObject({ durationMs: 120_000 });
    expect(parseSamplingOptions(['--duration', '1.5'])).toMatchObject({ durationMs: 1500 });
  });

  it.each([
    [['--rate', '0'], /--rate must be a whole number of samples a second, 1\.\.333/],
    [['--rate', '334'], /--rate must be/],
    [['--rate'], /--rate must be/],
    [['--duration', '11m'], /--duration must be like 500ms, 5s or 2m, at most 10m/],
    [['--duration', 'soon'], /--duration must be/],
    [['-r', '5'], /unknown option "-r"/],
  ])('refuses %j', (args, message) => {
    expect(parseSamplingOptions(args)).toMatch(message);
  });
});
