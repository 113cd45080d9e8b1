import { spawn } from 'node:child_process';
import { ProcfsProcessTable, runsAs } from './process.table';

describe('ProcfsProcessTable', () => {
  it('matches the real, effective or saved uid of live processes, never zombies', () => {
    const status = (state: string, uids: string) => `Name:\tsh\nState:\t${state}\nUid:\t${uids}\n`;
    expect(runsAs(status('S (sleeping)', '20001\t20001\t20001\t20001'), 20001)).toBe(true);
    expect(runsAs(status('R (running)', '0\t20001\t0\t20001'), 20001)).toBe(true);
    expect(runsAs(status('S (sleeping)', '0\t0\t20001\t0'), 20001)).toBe(true);
    expect(runsAs(status('S (sleeping)', '0\t0\t0\t20001'), 20001)).toBe(false);
    expect(runsAs(status('Z (zombie)', '20001\t20001\t20001\t20001'), 20001)).toBe(false);
  });

  it('finds a running process of the uid in /proc', async () => {
    const child = spawn('sleep', ['30']);
    try {
      const pids = await new ProcfsProcessTable().pidsOf(process.getuid!());
      expect(pids).toContain(child.pid);
      expect(pids).toContain(process.pid);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
