import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeCommandRunner } from '../testing/fake-command.runner';
import { FakeIpcTable } from '../testing/fake-ipc.table';
import { JobIpcSweeper, ProcIpcTable } from './job-ipc.sweeper';

describe('System V IPC of a job uid', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sysvipc-'));
    mkdirSync(join(dir, 'sysvipc'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the objects the uid owns or created, in /proc/sysvipc', async () => {
    const root = join(dir, 'sysvipc');
    writeFileSync(
      join(root, 'shm'),
      '       key      shmid perms       size  cpid  lpid nattch   uid   gid  cuid  cgid\n' +
        '         0          4   666       4096   10    11      0 20001 20001 20001 20001\n' +
        '   1433715          5   600         56   12    13      5   101   104   101   104\n' +
        '         0          6   600       4096   14    15      0     0     0 20001 20001\n',
    );
    writeFileSync(
      join(root, 'sem'),
      '       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n' +
        '         0          7   666          1 20001 20001 20001 20001          0          0\n',
    );
    // no msg file: a kernel may lack it
    expect(await new ProcIpcTable(root).objectsOf(20001)).toEqual([
      { kind: 'shm', id: '4' },
      { kind: 'shm', id: '6' },
      { kind: 'sem', id: '7' },
    ]);
  });

  it('removes each with ipcrm, and fails when one survives', async () => {
    const runner = new FakeCommandRunner();
    const table = new FakeIpcTable({ 20001: [{ kind: 'msg', id: '9' }] });
    await expect(new JobIpcSweeper(runner, table).sweep(20001)).rejects.toThrow(
      'System V IPC objects of uid 20001 remain after removing them: msg 9',
    );
    expect(runner.calls).toEqual(['ipcrm -q 9']);
    runner.run = ((run) => async (command: string, args: string[]) => {
      table.remove(20001);
      return run(command, args);
    })(runner.run.bind(runner));
    await expect(new JobIpcSweeper(runner, table).sweep(20001)).resolves.toBeUndefined();
  });
});
