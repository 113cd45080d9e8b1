import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';

export interface FileOwner {
  uid: number;
  gid: number;
}

/** Where a user's authorized_keys is written; a port so that unit tests can record it. */
export interface AuthorizedKeysWriter {
  write(home: string, owner: FileOwner, content: string): Promise<void>;
}

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_WRONLY, O_CREAT, O_EXCL } = constants;
const FILE_NAME = 'authorized_keys';

/**
 * Writes `<home>/.ssh/authorized_keys` as root without trusting anything the tester controls.
 * The tester owns the home and `.ssh` and has a shell, so at any moment either may hold a
 * symlink or a hard link to a file of root's (the attack: root overwrites /etc/shadow and
 * hands it over with chown). Hence:
 * - each directory is opened with O_NOFOLLOW|O_DIRECTORY and checked (a directory owned by
 *   the tester or root), and every later step goes through `/proc/self/fd/N/…`, which names
 *   the directory already opened, so renaming or swapping the path afterwards changes nothing;
 * - the keys go into a fresh file (O_CREAT|O_EXCL never follows a link nor reuses a file),
 *   owned and moded through its descriptor, then renamed over `authorized_keys`: rename
 *   replaces whatever entry is there, link or not, and never writes through it; sshd sees the
 *   old list or the new one, never half of one.
 * Linux only (procfs), as system mode is.
 */
export class SafeAuthorizedKeysWriter implements AuthorizedKeysWriter {
  async write(home: string, owner: FileOwner, content: string): Promise<void> {
    const homeDir = await openOwnedDirectory(home, owner);
    try {
      const sshDir = await openSshDirectory(homeDir, home, owner);
      try {
        await replaceFile(sshDir, owner, content);
      } finally {
        await sshDir.close();
      }
    } finally {
      await homeDir.close();
    }
  }
}

/** Opens `.ssh`, making it afresh (the tester's, 0700) when the tester has removed it. */
async function openSshDirectory(
  homeDir: FileHandle,
  home: string,
  owner: FileOwner,
): Promise<FileHandle> {
  const path = inside(homeDir, '.ssh');
  const label = `.ssh in ${home}`;
  // mkdir never follows a link at its last component: it fails with EEXIST instead.
  const made = await mkdir(path, { mode: 0o700 }).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return false;
      throw error;
    },
  );
  const dir = await openOwnedDirectory(path, owner, label);
  if (made) {
    try {
      await dir.chown(owner.uid, owner.gid);
    } catch (error) {
      await dir.close();
      throw error;
    }
  }
  return dir;
}

function inside(dir: FileHandle, name: string): string {
  return `/proc/self/fd/${dir.fd}/${name}`;
}

async function openOwnedDirectory(
  path: string,
  owner: FileOwner,
  label = path,
): Promise<FileHandle> {
  let dir: FileHandle;
  try {
    dir = await open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOTDIR')
      throw new Error(`refusing to write SSH keys: ${label} is a symlink or not a directory`, {
        cause: error,
      });
    throw error;
  }
  const stat = await dir.stat();
  if (stat.uid !== owner.uid && stat.uid !== 0) {
    await dir.close();
    throw new Error(
      `refusing to write SSH keys: ${label} belongs to uid ${stat.uid}, not the job user (uid ${owner.uid})`,
    );
  }
  return dir;
}

async function replaceFile(dir: FileHandle, owner: FileOwner, content: string): Promise<void> {
  const temp = inside(dir, `.${FILE_NAME}.leshy-${randomBytes(6).toString('hex')}`);
  const file = await open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    try {
      await file.writeFile(content);
      await file.chown(owner.uid, owner.gid);
      await file.chmod(0o600); // the umask may have taken bits off; sshd wants exactly this
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, inside(dir, FILE_NAME));
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
