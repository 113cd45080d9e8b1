import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  openSync,
  fsyncSync,
  closeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The uids job users get. Never the previous job's: a process or file that escaped a cleanup
 * must find a stranger's uid in the next job, not its own. The counter only goes up through
 * the range; it starts again at the bottom only after the top, by which time every uid in
 * it has had its processes and files removed (a uid leaves `uncleaned` only then).
 */
export const JOB_UID_RANGE = { first: 20_000, last: 59_999 } as const;

/** A device whose owner the agent changed for a job, and what to put back. */
export interface DeviceLease {
  path: string;
  uid: number;
  gid: number;
  mode: number;
}

interface State {
  nextUid: number;
  /** Uids handed to a job whose processes and files are not known to be gone. */
  uncleaned: number[];
  leases: DeviceLease[];
}

/**
 * Kept in `<data_dir>/system-users.json`, written whole (temp file, fsync, rename) before each
 * step it records, so that after a crash at any point the restart knows which uids to clean.
 * Without a path (unit tests) it lives in memory.
 */
export class JobUidStore {
  private loaded: State | null = null;

  constructor(private readonly path: string | null) {}

  /** Read on first use, so that a damaged file is reported by the step that needs it. */
  private get state(): State {
    this.loaded ??= this.path ? load(this.path) : fresh();
    return this.loaded;
  }

  get uncleaned(): number[] {
    return [...this.state.uncleaned];
  }

  get leases(): DeviceLease[] {
    return this.state.leases.map((l) => ({ ...l }));
  }

  /**
   * The next uid for which `isFree` says yes, recorded as handed out (and uncleaned) before
   * it is returned.
   */
  async allocate(isFree: (uid: number) => Promise<boolean>): Promise<number> {
    const size = JOB_UID_RANGE.last - JOB_UID_RANGE.first + 1;
    let uid = this.state.nextUid;
    for (let tried = 0; tried < size; tried++, uid = next(uid)) {
      if (this.state.uncleaned.includes(uid) || !(await isFree(uid))) continue;
      this.save({ ...this.state, nextUid: next(uid), uncleaned: [...this.state.uncleaned, uid] });
      return uid;
    }
    throw new Error(
      `no free uid left in ${JOB_UID_RANGE.first}-${JOB_UID_RANGE.last} for the job user`,
    );
  }

  cleaned(uid: number): void {
    this.save({ ...this.state, uncleaned: this.state.uncleaned.filter((u) => u !== uid) });
  }

  addLease(lease: DeviceLease): void {
    this.save({ ...this.state, leases: [...this.state.leases, lease] });
  }

  dropLease(path: string): void {
    this.save({ ...this.state, leases: this.state.leases.filter((l) => l.path !== path) });
  }

  private save(state: State): void {
    if (this.path) writeDurably(this.path, JSON.stringify(state) + '\n');
    this.loaded = state;
  }
}

function next(uid: number): number {
  return uid >= JOB_UID_RANGE.last ? JOB_UID_RANGE.first : uid + 1;
}

function fresh(): State {
  return { nextUid: JOB_UID_RANGE.first, uncleaned: [], leases: [] };
}

function load(path: string): State {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return fresh();
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<State>;
  const inRange = (u: unknown): u is number =>
    Number.isInteger(u) &&
    (u as number) >= JOB_UID_RANGE.first &&
    (u as number) <= JOB_UID_RANGE.last;
  if (
    !inRange(parsed.nextUid) ||
    !Array.isArray(parsed.uncleaned) ||
    !parsed.uncleaned.every(inRange)
  ) {
    throw new Error(
      `${path} is damaged (expected nextUid and uncleaned uids in ${JOB_UID_RANGE.first}-${JOB_UID_RANGE.last}); delete it only after checking no job user is left`,
    );
  }
  return { nextUid: parsed.nextUid, uncleaned: parsed.uncleaned, leases: parsed.leases ?? [] };
}

function writeDurably(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(temp, content, { mode: 0o600 });
  const fd = openSync(temp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}
