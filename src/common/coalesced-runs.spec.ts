import { CoalescedRuns } from './coalesced-runs';

describe('CoalescedRuns', () => {
  it('runs once more for requests made while it runs, never in parallel', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const task = new CoalescedRuns(async () => {
      runs++;
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => (release = resolve));
      running--;
    });
    task.request();
    task.request();
    task.request();
    expect(task.busy).toBe(true);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await task.settled();
    expect(runs).toBe(2);
    expect(most).toBe(1);
    expect(task.busy).toBe(false);
  });

  it('does not run once it is no longer live, and says when a series is over', async () => {
    let live = true;
    let runs = 0;
    let idle = 0;
    const task = new CoalescedRuns(
      async () => void runs++,
      () => live,
      () => idle++,
    );
    task.request();
    await task.settled();
    live = false;
    task.request();
    await task.settled();
    expect([runs, idle]).toEqual([1, 1]);
  });
});
