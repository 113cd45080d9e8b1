import { readdir, readFile } from 'node:fs/promises';

/** Which live processes run as a uid; a port so that unit tests need no real processes. */
export interface ProcessTable {
  /** Pids of live (not zombie) processes whose real, effective or saved uid is `uid`. */
  pidsOf(uid: number): Promise<number[]>;
}

/**
 * Reads /proc. Zombies are left out: they run nothing and hold nothing, and they stay until
 * their parent (init, in a container maybe never) reaps them.
 */
export class ProcfsProcessTable implements ProcessTable {
  constructor(private readonly procRoot = '/proc') {}

  async pidsOf(uid: number): Promise<number[]> {
    const entries = await readdir(this.procRoot);
    const pids: number[] = [];
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      let status: string;
      try {
        status = await readFile(`${this.procRoot}/${entry}/status`, 'utf8');
      } catch {
        continue; // ended while we looked
      }
      if (runsAs(status, uid)) pids.push(Number(entry));
    }
    return pids;
  }
}

/** Whether a /proc/<pid>/status text is of a live process with `uid` as real/effective/saved uid. */
export function runsAs(status: string, uid: number): boolean {
  const state = /^State:\s+(\S)/m.exec(status)?.[1];
  if (state === 'Z' || state === 'X') return false;
  const ids = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status);
  return !!ids && ids.slice(1, 4).some((id) => Number(id) === uid);
}
