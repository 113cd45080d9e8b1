import { mkdir, rm } from 'node:fs/promises';

/**
 * The per-job folder testers reach over SFTP in embedded mode. Emptied and recreated by every
 * prepare so no file of one job is visible to the next.
 */
export class JobWorkspace {
  constructor(readonly root: string) {}

  async reset(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
    await mkdir(this.root, { recursive: true, mode: 0o700 });
  }
}
