import { constants, Stats } from 'node:fs';
import {
  FileHandle,
  lstat,
  mkdir,
  open,
  readdir,
  rename,
  rmdir,
  stat,
  unlink,
  chmod,
  utimes,
  truncate,
} from 'node:fs/promises';
import { utils } from 'ssh2';
import type { Attributes, FileEntry, SFTPWrapper } from 'ssh2';
import { Logger } from '../log/logger';
import { ConfinedPaths, PathEscapeError } from './confined.paths';

const STATUS = utils.sftp.STATUS_CODE;
const MAX_HANDLES = 256;
const MAX_READ = 256 * 1024;

type OpenHandle =
  { kind: 'file'; file: FileHandle } | { kind: 'dir'; entries: FileEntry[]; sent: boolean };

/**
 * An SFTP server confined to the job workspace (embedded mode). Implements what sftp, scp -s
 * and ssh2 clients use: open/read/write/close/fstat/fsetstat/stat/lstat/setstat/opendir/
 * readdir/realpath/mkdir/rmdir/remove/rename. Links cannot be made or read: they are the way
 * out of a confined tree.
 */
export class SftpWorkspaceHandler {
  private readonly handles = new Map<number, OpenHandle>();
  private nextHandle = 1;

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly paths: ConfinedPaths,
    private readonly log: Logger,
  ) {
    this.attach();
    sftp.on('end', () => this.finish());
    sftp.on('close', () => void this.closeAll());
  }

  private attach(): void {
    const s = this.sftp;
    s.on('OPEN', (id, filename, flags, attrs) =>
      this.handle(id, async () => {
        const file = await open(
          await this.paths.forOpen(filename),
          toFsFlags(flags),
          attrs?.mode ?? 0o644,
        );
        s.handle(id, this.newHandle({ kind: 'file', file }));
      }),
    );
    s.on('READ', (id, handle, offset, length) =>
      this.handle(id, async () => {
        const file = this.file(handle);
        const buffer = Buffer.alloc(Math.min(length, MAX_READ));
        const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) return s.status(id, STATUS.EOF);
        s.data(id, buffer.subarray(0, bytesRead));
      }),
    );
    s.on('WRITE', (id, handle, offset, data) =>
      this.handle(id, async () => {
        const file = this.file(handle);
        let done = 0;
        while (done < data.length) {
          const { bytesWritten } = await file.write(data, done, data.length - done, offset + done);
          done += bytesWritten;
        }
        s.status(id, STATUS.OK);
      }),
    );
    s.on('FSTAT', (id, handle) =>
      this.handle(id, async () => s.attrs(id, toAttrs(await this.file(handle).stat()))),
    );
    s.on('FSETSTAT', (id, handle, attrs) =>
      this.handle(id, async () => {
        const file = this.file(handle);
        if (attrs.mode !== undefined) await file.chmod(attrs.mode & 0o7777);
        if (attrs.size !== undefined) await file.truncate(attrs.size);
        if (attrs.atime !== undefined && attrs.mtime !== undefined)
          await file.utimes(attrs.atime, attrs.mtime);
        s.status(id, STATUS.OK);
      }),
    );
    s.on('CLOSE', (id, handle) =>
      this.handle(id, async () => {
        const key = this.key(handle);
        const entry = this.handles.get(key);
        if (!entry) return s.status(id, STATUS.FAILURE, 'invalid handle');
        this.handles.delete(key);
        if (entry.kind === 'file') await entry.file.close();
        s.status(id, STATUS.OK);
      }),
    );
    s.on('OPENDIR', (id, path) =>
      this.handle(id, async () => {
        const dir = await this.paths.existing(path);
        const names = await readdir(dir);
        const entries: FileEntry[] = [];
        for (const name of names) {
          try {
            const st = await lstat(`${dir}/${name}`);
            entries.push({ filename: name, longname: longname(name, st), attrs: toAttrs(st) });
          } catch {
            // vanished while listing
          }
        }
        s.handle(id, this.newHandle({ kind: 'dir', entries, sent: false }));
      }),
    );
    s.on('READDIR', (id, handle) =>
      this.handle(id, async () => {
        const entry = this.handles.get(this.key(handle));
        if (!entry || entry.kind !== 'dir') return s.status(id, STATUS.FAILURE, 'invalid handle');
        if (entry.sent || entry.entries.length === 0) return s.status(id, STATUS.EOF);
        entry.sent = true;
        s.name(id, entry.entries);
      }),
    );
    s.on('STAT', (id, path) =>
      this.handle(id, async () =>
        s.attrs(id, toAttrs(await stat(await this.paths.existing(path)))),
      ),
    );
    s.on('LSTAT', (id, path) =>
      this.handle(id, async () => {
        const target =
          this.paths.virtual(path) === '/'
            ? await this.paths.existing('/')
            : await this.paths.entry(path);
        s.attrs(id, toAttrs(await lstat(target)));
      }),
    );
    s.on('SETSTAT', (id, path, attrs) =>
      this.handle(id, async () => {
        const target = await this.paths.existing(path);
        if (attrs.mode !== undefined) await chmod(target, attrs.mode & 0o7777);
        if (attrs.size !== undefined) await truncate(target, attrs.size);
        if (attrs.atime !== undefined && attrs.mtime !== undefined)
          await utimes(target, attrs.atime, attrs.mtime);
        s.status(id, STATUS.OK);
      }),
    );
    s.on('MKDIR', (id, path, attrs) =>
      this.handle(id, async () => {
        await mkdir(await this.paths.entry(path), { mode: attrs?.mode ?? 0o755 });
        s.status(id, STATUS.OK);
      }),
    );
    s.on('RMDIR', (id, path) =>
      this.handle(id, async () => {
        await rmdir(await this.paths.entry(path));
        s.status(id, STATUS.OK);
      }),
    );
    s.on('REMOVE', (id, path) =>
      this.handle(id, async () => {
        await unlink(await this.paths.entry(path));
        s.status(id, STATUS.OK);
      }),
    );
    s.on('RENAME', (id, from, to) =>
      this.handle(id, async () => {
        await rename(await this.paths.entry(from), await this.paths.entry(to));
        s.status(id, STATUS.OK);
      }),
    );
    s.on('REALPATH', (id, path) =>
      this.handle(id, async () => {
        const v = this.paths.virtual(path);
        s.name(id, [{ filename: v, longname: v, attrs: {} as Attributes }]);
      }),
    );
    s.on('READLINK', (id) =>
      s.status(id, STATUS.OP_UNSUPPORTED, 'links are not supported in the job workspace'),
    );
    s.on('SYMLINK', (id) =>
      s.status(id, STATUS.OP_UNSUPPORTED, 'links are not supported in the job workspace'),
    );
  }

  /**
   * The client sent EOF (OpenSSH's sftp and scp do when they are done): answer like OpenSSH's
   * sftp-server exiting, with exit status 0 and a close. scp fails without the exit status,
   * and ssh2's SFTP object has no public way to send one, hence the internal call.
   */
  private finish(): void {
    const channel = this.sftp as unknown as {
      _protocol?: { exitStatus(id: number, code: number): void };
      outgoing?: { id: number; state: string };
    };
    try {
      if (channel.outgoing?.state === 'open') channel._protocol?.exitStatus(channel.outgoing.id, 0);
    } catch {
      // the connection is already gone
    }
    this.sftp.end();
  }

  /** Runs one request and maps failures to SFTP status codes. */
  private handle(id: number, job: () => Promise<void>): void {
    job().catch((error: NodeJS.ErrnoException) => {
      const code =
        error instanceof PathEscapeError || error.code === 'EACCES' || error.code === 'EPERM'
          ? STATUS.PERMISSION_DENIED
          : error.code === 'ENOENT' || error.code === 'ENOTDIR'
            ? STATUS.NO_SUCH_FILE
            : STATUS.FAILURE;
      if (error instanceof PathEscapeError)
        this.log.warn(`sftp: refused a path outside the workspace`);
      const message =
        error instanceof PathEscapeError
          ? error.message
          : code === STATUS.NO_SUCH_FILE
            ? 'No such file'
            : code === STATUS.PERMISSION_DENIED
              ? 'Permission denied'
              : error.message;
      try {
        this.sftp.status(id, code, message);
      } catch {
        // channel already gone
      }
    });
  }

  private newHandle(entry: OpenHandle): Buffer {
    if (this.handles.size >= MAX_HANDLES)
      throw Object.assign(new Error('too many open handles'), { code: 'EMFILE' });
    const key = this.nextHandle++;
    this.handles.set(key, entry);
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32BE(key);
    return buffer;
  }

  private key(handle: Buffer): number {
    return handle.length === 4 ? handle.readUInt32BE(0) : -1;
  }

  private file(handle: Buffer): FileHandle {
    const entry = this.handles.get(this.key(handle));
    if (!entry || entry.kind !== 'file')
      throw Object.assign(new Error('invalid handle'), { code: 'EBADF' });
    return entry.file;
  }

  private async closeAll(): Promise<void> {
    const open = [...this.handles.values()];
    this.handles.clear();
    for (const entry of open)
      if (entry.kind === 'file') await entry.file.close().catch(() => undefined);
  }
}

/**
 * SFTP open flags to fs flags, bit by bit. (ssh2's flagsToString knows only the combinations
 * fopen has names for, and scp's WRITE|CREAT without TRUNC is not one of them.)
 */
function toFsFlags(flags: number): number {
  const M = utils.sftp.OPEN_MODE;
  const read = (flags & M.READ) !== 0;
  const write = (flags & M.WRITE) !== 0;
  let result = read && write ? constants.O_RDWR : write ? constants.O_WRONLY : constants.O_RDONLY;
  if (flags & M.APPEND) result |= constants.O_APPEND;
  if (flags & M.CREAT) result |= constants.O_CREAT;
  if (flags & M.TRUNC) result |= constants.O_TRUNC;
  if (flags & M.EXCL) result |= constants.O_EXCL;
  return result;
}

function toAttrs(st: Stats): Attributes {
  return {
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  };
}

function longname(name: string, st: Stats): string {
  const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx'
    .split('')
    .map((c, i) => (st.mode & (1 << (8 - i)) ? c : '-'))
    .join('');
  const date = st.mtime.toISOString().slice(0, 16).replace('T', ' ');
  return `${type}${bits} 1 ${st.uid} ${st.gid} ${String(st.size).padStart(8)} ${date} ${name}`;
}
