import { FakeCommandRunner } from '../testing/fake-command.runner';
import { JobProcessesReaper } from './job-processes.reaper';

describe('JobProcessesReaper', () => {
  it('runs kill -1 as the uid until no process of it is left', async () => {
    const runner = new FakeCommandRunner();
    const rounds = [[101, 102], [103], []];
    const table = { pidsOf: async () => rounds.shift() ?? [] };
    const killed: number[] = [];
    const realKill = process.kill;
    process.kill = ((pid: number) => killed.push(pid) > 0) as typeof process.kill;
    try {
      await new JobProcessesReaper(runner, table, { pauseMs: 1 }).killAll({
        uid: 20005,
        gid: 20005,
      });
    } finally {
      process.kill = realKill;
    }
    expect(runner.calls).toEqual(Array(3).fill('kill -9 -1 as 20005'));
    expect(killed).toEqual([101, 102, 103]);
  });

  it('fails when processes survive, naming them', async () => {
    const runner = new FakeCommandRunner();
    const table = { pidsOf: async () => [process.pid + 1_000_000] };
    await expect(
      new JobProcessesReaper(runner, table, { timeoutMs: 20, pauseMs: 5 }).killAll({
        uid: 20005,
        gid: 20005,
      }),
    ).rejects.toThrow(`processes of uid 20005 survive SIGKILL (pids ${process.pid + 1_000_000})`);
  });
});
