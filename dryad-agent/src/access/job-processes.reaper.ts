import type { CommandRunner, RunAs } from './command.runner';
import type { ProcessTable } from './process.table';

export interface ReaperOptions {
  /** Give up (and fail the removal) when processes survive this long. */
  timeoutMs?: number;
  /** Pause between rounds, for processes in uninterruptible sleep to die. */
  pauseMs?: number;
}

/**
 * Kills every process of a job's uid, until none is left. One `pkill -U` pass is not enough:
 * it reads the process list, then signals what it read, and a process that keeps forking and
 * letting its parent exit is always somewhere else by then. `kill(-1)` run *as the job's uid*
 * is done by the kernel in one sweep that no fork escapes (a child of a dying process is never
 * created), so each round is: that, then look; whatever is still there (a process only the
 * job's effective uid, say) is killed by pid from root, and the round repeats.
 */
export class JobProcessesReaper {
  private readonly timeoutMs: number;
  private readonly pauseMs: number;

  constructor(
    private readonly runner: CommandRunner,
    private readonly processes: ProcessTable,
    options: ReaperOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pauseMs = options.pauseMs ?? 50;
  }

  /** Resolves once no live process runs as `as.uid`; rejects if some survive the timeout. */
  async killAll(as: RunAs): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      // Exit 1 ("no such process") just means there was nothing to kill.
      const result = await this.runner.run('kill', ['-s', 'KILL', '--', '-1'], as);
      if (result.code > 1) {
        throw new Error(
          `kill -1 as uid ${as.uid} failed (exit ${result.code}): ${result.stderr.trim()}`,
        );
      }
      const left = await this.processes.pidsOf(as.uid);
      if (left.length === 0) return;
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      if (Date.now() > deadline) {
        throw new Error(
          `processes of uid ${as.uid} survive SIGKILL (pids ${left.join(', ')}): the job user is not removed`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
    }
  }
}
