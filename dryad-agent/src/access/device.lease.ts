import { chmod, chown, stat } from 'node:fs/promises';
import type { JobUidStore } from './job-uid.store';

/**
 * Lends one device (the DUT console, when `console.job_access` is on) to the job user for the
 * job: the uid becomes its owner, with read and write for the owner. No group, so nothing
 * else (the STM line in particular, which shares `dialout` with the console on Debian) comes
 * with it. What was there before is recorded first and put back when the job user goes,
 * after a crash too (the store survives it).
 */
export class DeviceLender {
  constructor(private readonly store: JobUidStore) {}

  async lend(path: string, uid: number): Promise<void> {
    await this.giveBack(path); // a lease left by a crash must not become the "original"
    const before = await stat(path);
    this.store.addLease({ path, uid: before.uid, gid: before.gid, mode: before.mode & 0o7777 });
    await chown(path, uid, before.gid);
    await chmod(path, (before.mode & 0o777) | 0o600);
  }

  /** Puts back every lease recorded, or only the one of `path`. */
  async giveBack(path?: string): Promise<void> {
    for (const lease of this.store.leases) {
      if (path !== undefined && lease.path !== path) continue;
      try {
        await chown(lease.path, lease.uid, lease.gid);
        await chmod(lease.path, lease.mode);
      } catch (error) {
        // A device that is gone (unplugged, or recreated by udev) has nothing left to give back.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      this.store.dropLease(lease.path);
    }
  }
}
