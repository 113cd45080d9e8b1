import { readFile } from 'node:fs/promises';
import type { CommandRunner } from './command.runner';

/** A System V IPC object: shared memory, a message queue or a semaphore set. */
export interface IpcObject {
  kind: 'shm' | 'msg' | 'sem';
  id: string;
}

/** Which System V IPC objects a uid owns or made; a port so that unit tests read no /proc. */
export interface IpcTable {
  objectsOf(uid: number): Promise<IpcObject[]>;
}

const KINDS = [
  { kind: 'shm', idColumn: 'shmid' },
  { kind: 'msg', idColumn: 'msqid' },
  { kind: 'sem', idColumn: 'semid' },
] as const;

/** Reads /proc/sysvipc/{shm,msg,sem}: a header line, then one line per object. */
export class ProcIpcTable implements IpcTable {
  constructor(private readonly root = '/proc/sysvipc') {}

  async objectsOf(uid: number): Promise<IpcObject[]> {
    const found: IpcObject[] = [];
    for (const { kind, idColumn } of KINDS) {
      let text: string;
      try {
        text = await readFile(`${this.root}/${kind}`, 'utf8');
      } catch {
        continue; // a kernel without System V IPC
      }
      const [header, ...rows] = text.split('\n').map((l) => l.trim().split(/\s+/));
      const at = (name: string) => header.indexOf(name);
      for (const row of rows) {
        if (row.length < header.length) continue;
        if (row[at('uid')] === `${uid}` || row[at('cuid')] === `${uid}`)
          found.push({ kind, id: row[at(idColumn)] });
      }
    }
    return found;
  }
}

const IPCRM_FLAG = { shm: '-m', msg: '-q', sem: '-s' } as const;

/**
 * Removes the System V shared memory, message queues and semaphores a job's uid owns or made:
 * they are no files (the sweep of file systems misses them), outlive their processes, and the
 * tester sets their permissions, 0666 included.
 */
export class JobIpcSweeper {
  constructor(
    private readonly runner: CommandRunner,
    private readonly table: IpcTable,
  ) {}

  async sweep(uid: number): Promise<void> {
    for (const object of await this.table.objectsOf(uid)) {
      await this.runner.run('ipcrm', [IPCRM_FLAG[object.kind], object.id]);
    }
    const left = await this.table.objectsOf(uid);
    if (left.length) {
      throw new Error(
        `System V IPC objects of uid ${uid} remain after removing them: ${left.map((o) => `${o.kind} ${o.id}`).join(', ')}`,
      );
    }
  }
}
