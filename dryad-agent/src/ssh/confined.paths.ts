import { lstat, realpath } from 'node:fs/promises';
import { posix, sep, join } from 'node:path';

/** A path that would leave the workspace (through `..` above its root, or a symlink). */
export class PathEscapeError extends Error {
  readonly code = 'EESCAPE';
}

/**
 * Maps SFTP paths onto the job workspace as if it were the root of the file system: `/` is
 * the workspace, `..` stops at it, and every path the agent opens or lists is checked after
 * resolving symlinks, so a link pointing outside leads nowhere.
 */
export class ConfinedPaths {
  private realRoot: string | null = null;

  constructor(private readonly root: string) {}

  /** The client-visible, normalised absolute path (`/a/b`). */
  virtual(clientPath: string): string {
    return posix.resolve('/', clientPath || '.');
  }

  /** The on-disk path of an existing file or folder, following symlinks, inside the workspace. */
  async existing(clientPath: string): Promise<string> {
    const real = await realpath(this.onDisk(clientPath));
    await this.assertInside(real);
    return real;
  }

  /**
   * The on-disk path of a name whose last component is used as is (not followed): for lstat,
   * remove, rename and for creating new entries. Its folder must resolve inside the workspace.
   */
  async entry(clientPath: string): Promise<string> {
    const v = this.virtual(clientPath);
    if (v === '/') throw new PathEscapeError('the workspace root itself cannot be changed');
    const parent = await realpath(this.onDisk(posix.dirname(v)));
    await this.assertInside(parent);
    return join(parent, posix.basename(v));
  }

  /** For open(): existing paths are followed and checked; new ones are created in a checked folder. */
  async forOpen(clientPath: string): Promise<string> {
    const candidate = await this.entry(clientPath);
    try {
      await lstat(candidate);
    } catch {
      return candidate;
    }
    return this.existing(clientPath);
  }

  private onDisk(clientPath: string): string {
    const v = this.virtual(clientPath);
    return v === '/' ? this.root : join(this.root, ...v.split('/').filter(Boolean));
  }

  private async assertInside(real: string): Promise<void> {
    this.realRoot ??= await realpath(this.root);
    if (real !== this.realRoot && !real.startsWith(this.realRoot + sep)) {
      throw new PathEscapeError('path leads outside the job workspace');
    }
  }
}
