import { readFile } from 'node:fs/promises';

/** Where a job user may have written files; a port so that unit tests stay on a temp folder. */
export interface MountTable {
  /** Mount points of writable file systems that can hold a tester's files. */
  writableMountPoints(): Promise<string[]>;
}

/**
 * Kernel file systems whose entries are not files anyone leaves behind (processes, devices,
 * cgroups, ptys that close with the session). tmpfs, mqueue and every disk file system stay in.
 */
const NOT_FILES = new Set([
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'devpts',
  'securityfs',
  'debugfs',
  'tracefs',
  'pstore',
  'bpf',
  'configfs',
  'fusectl',
  'binfmt_misc',
  'autofs',
  'efivarfs',
  'selinuxfs',
  'rpc_pipefs',
  'nsfs',
]);

/** Reads /proc/self/mountinfo: every mount that is read-write both as a mount and as a file system. */
export class ProcMountTable implements MountTable {
  constructor(private readonly mountinfoPath = '/proc/self/mountinfo') {}

  async writableMountPoints(): Promise<string[]> {
    return writableMountPoints(await readFile(this.mountinfoPath, 'utf8'));
  }
}

/** Parses mountinfo text (see proc(5)); mount points in order, each once. */
export function writableMountPoints(mountinfo: string): string[] {
  const points = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const [mount, fs] = line.split(' - ');
    if (!fs) continue;
    const fields = mount.split(' ');
    const [fsType, , superOptions = ''] = fs.split(' ');
    const mountOptions = (fields[5] ?? '').split(',');
    if (!mountOptions.includes('rw') || superOptions.split(',').includes('ro')) continue;
    if (NOT_FILES.has(fsType)) continue;
    points.add(unescapeOctal(fields[4]));
  }
  return [...points];
}

/** mountinfo writes space, tab, newline and backslash in paths as \040 and so on. */
function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}
