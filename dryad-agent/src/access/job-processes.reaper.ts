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
      // `kill -9 -1` is the one spelling procps' and util-linux's kill both take. Exit 1 with
      // nothing (procps) or "No such process" said means there was nothing left to kill.
      const result = await this.runner.run('kill', ['-9', '-1'], as);
      const said = result.stderr.trim();
      if (
        result.code !== 0 &&
        !(result.code === 1 && (said === '' || /no such process/i.test(said)))
      ) {
        throw new Error(`kill -9 -1 as uid ${as.uid} failed (exit ${result.code}): ${said}`);
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
