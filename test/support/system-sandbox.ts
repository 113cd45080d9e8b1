import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './repo-root';
import { waitFor } from './wait-for';

/**
 * A private corner of this machine where the agent's system mode can run for real (useradd,
 * userdel, kill, find, an OpenSSH sshd) without touching the host's users or files: new mount,
 * pid and IPC namespaces in which
 * - /etc is a private copy (passwd, shadow, group, gshadow and what sshd and PAM read);
 * - /tmp, /var/tmp, /dev/shm, /home, /var/log, /var/mail and /run are fresh tmpfs mounts (a
 *   checkout under one of them, as a CI clone in /tmp, is mounted back where it was);
 * - every other writable mount is made read-only, so nothing of a job can land on the host
 *   (and the agent's sweep of writable file systems walks only the private ones);
 * - `shared` (a host folder) is seen at `/run/e2e`, for configs, keys and logs.
 * The namespace's pid 1 reaps orphans; killing it ends every process inside.
 */
export interface SystemSandbox {
  /** Host path of the shared folder; inside the sandbox it is `/run/e2e`. */
  readonly shared: string;
  /** `shared` as seen from inside. */
  readonly inside: string;
  /** Runs a command inside; resolves with its status and output. */
  run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Starts a long-running command inside (the pid is nsenter's; see innerPid). */
  spawn(command: string, args: string[]): ChildProcess;
  /** The host pid of the process nsenter started for `child` (signals go there). */
  innerPid(child: ChildProcess): Promise<number>;
  destroy(): void;
}

const INSIDE = '/run/e2e';

const SETUP = `set -eu
shared="$1"
repo="$2"
mount --make-rprivate /
# First every writable mount read-only (the kernel's own aside), hidden ones included, so that
# nothing of a job lands on the host; then the private mounts on top.
awk '{print $5, $6}' /proc/self/mountinfo | while read -r point options; do
  case "$point" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/pts) continue ;; esac
  case ",$options," in
    *,rw,*) mount -o remount,bind,ro "$point" || echo "sandbox: $point stays writable" >&2 ;;
  esac
done
mount -t tmpfs -o mode=755 leshy-run /run
mkdir -p /run/sshd ${INSIDE} /run/etc
mount --bind "$shared" ${INSIDE}
mount -o remount,bind,rw ${INSIDE}
cp -a /etc/. /run/etc/
mount --bind /run/etc /etc
# A checkout under a folder made private below (a CI clone in /tmp) stays where it was, read-only:
# the agent runs from it.
mkdir -p /run/repo
mount --bind "$repo" /run/repo
for dir in /tmp /var/tmp /dev/shm; do mount -t tmpfs -o mode=1777 leshy-tmp "$dir"; done
mount -t tmpfs -o mode=755 leshy-home /home
mount -t tmpfs -o mode=755 leshy-log /var/log
if [ -d /var/mail ]; then mount -t tmpfs -o mode=2775 leshy-mail /var/mail; fi
case "$repo" in
  /tmp/*|/var/tmp/*|/dev/shm/*|/home/*|/var/log/*) mkdir -p "$repo"; mount --bind /run/repo "$repo" ;;
esac
echo ready > ${INSIDE}/ready
# pid 1 of the namespace: bash reaps whatever is orphaned to it while it waits.
while :; do sleep 1 & wait $!; done
`;

/** What the sandbox needs; a missing piece fails the suite with this list, never skips it. */
export function sandboxPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (useradd, namespaces and sshd need it)');
  for (const tool of ['unshare', 'nsenter', 'useradd', 'userdel', 'socat', 'ssh-keygen', 'find']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      missing.push(tool);
    }
  }
  if (!existsSync('/usr/sbin/sshd')) missing.push('/usr/sbin/sshd (Debian: openssh-server)');
  return missing;
}

export async function startSystemSandbox(): Promise<SystemSandbox> {
  const shared = mkdtempSync(path.join(tmpdir(), 'leshy-system-'));
  // The job user must reach the devices linked from here, as it would reach /dev.
  chmodSync(shared, 0o755);
  const holder = spawn(
    'unshare',
    [
      '--mount',
      '--pid',
      '--ipc',
      '--fork',
      '--kill-child',
      '--mount-proc',
      'bash',
      '-c',
      SETUP,
      'setup',
      shared,
      repoRoot(),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let errors = '';
  holder.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  await waitFor(() => {
    if (holder.exitCode !== null) throw new Error(`the sandbox setup failed: ${errors}`);
    return existsSync(path.join(shared, 'ready'));
  }, `the sandbox (mount and pid namespaces) to be set up: ${errors}`).catch((error: Error) => {
    holder.kill('SIGKILL');
    throw error;
  });
  const pid1 = await childOf(holder.pid!);
  const enter = (command: string, args: string[]) => [
    '--target',
    String(pid1),
    '--mount',
    '--pid',
    '--ipc',
    '--',
    command,
    ...args,
  ];
  const destroy = () => {
    // pid 1 of a pid namespace takes every process in it along when it dies.
    try {
      process.kill(pid1, 'SIGKILL');
    } catch {
      // gone already
    }
    holder.kill('SIGKILL');
    rmSync(shared, { recursive: true, force: true });
  };
  process.once('exit', destroy);
  return {
    shared,
    inside: INSIDE,
    run: (command, args) =>
      new Promise((resolve) =>
        execFile('nsenter', enter(command, args), { timeout: 30_000 }, (error, stdout, stderr) =>
          resolve({
            code: error ? (typeof error.code === 'number' ? error.code : 127) : 0,
            stdout: String(stdout),
            stderr: String(stderr),
          }),
        ),
      ),
    spawn: (command, args) =>
      spawn('nsenter', enter(command, args), { stdio: ['pipe', 'pipe', 'pipe'] }),
    innerPid: (child) => childOf(child.pid!),
    destroy,
  };
}

/** The one child of `pid` (unshare --fork and nsenter --pid each fork once). */
async function childOf(pid: number): Promise<number> {
  const file = `/proc/${pid}/task/${pid}/children`;
  const text = await waitFor(
    () => (existsSync(file) ? readFileSync(file, 'utf8').trim() : ''),
    `process ${pid} to start its child`,
  );
  return Number(text.split(' ')[0]);
}
