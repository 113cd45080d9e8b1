import { execFileSync } from 'node:child_process';
import { basename, dirname } from 'node:path';

/**
 * Whether `path` lies in a git work tree that would track it (not ignored). The config holds
 * the agent token once edited, so `init` warns before it ends up in a commit. No git on the
 * board, or no work tree around the file: false (nothing to warn about).
 */
export function trackableByGit(path: string): boolean {
  try {
    execFileSync('git', ['check-ignore', '-q', basename(path)], {
      cwd: dirname(path),
      stdio: 'ignore',
    });
    return false; // exit 0: ignored
  } catch (error) {
    // Exit 1: in a work tree and not ignored; 128 (no work tree) or ENOENT (no git): nothing.
    return (error as { status?: number | null }).status === 1;
  }
}
