import type { CommandRunner } from './command.runner';
import type { MountTable } from './writable-mounts';

/**
 * Deletes every file a job's uid owns on the board's writable file systems: `userdel --remove`
 * takes only the home, and /tmp, /var/tmp, /dev/shm (or a world-writable folder anywhere)
 * would otherwise hand the next tester whatever this one left there. Runs after the uid's
 * processes are dead, so nothing races it; GNU find deletes relative to the folder it has
 * open and never follows links. `-xdev` keeps each walk on its own file system; every
 * writable one gets its own walk.
 */
export class JobFilesSweeper {
  constructor(
    private readonly runner: CommandRunner,
    private readonly mounts: MountTable,
  ) {}

  async sweep(uid: number): Promise<void> {
    for (const point of await this.mounts.writableMountPoints()) {
      await this.runner.run('find', [point, '-xdev', '-uid', String(uid), '-delete']);
      // find's exit status also reports unrelated unreadable folders: what counts is
      // whether anything of the uid is still there.
      const left = await this.runner.run('find', [
        point,
        '-xdev',
        '-uid',
        String(uid),
        '-print',
        '-quit',
      ]);
      const first = left.stdout.trim();
      if (left.code > 1 || first) {
        throw new Error(
          first
            ? `files of uid ${uid} remain after deleting them, e.g. ${first}`
            : `cannot search ${point} for files of uid ${uid}: ${left.stderr.trim()}`,
        );
      }
    }
  }
}
