import { BoardRefusal } from './board.refusal';

const CLOSED = 'the session closed, the DUT stays off';

/**
 * The off-period of a power cycle timed by the agent instead of the STM. It ends when its time
 * is up, or early, with a refusal naming why, when the tester's session goes (`signal`) or
 * another command takes over the power (`cancel`): the DUT then stays as that left it.
 */
export class PowerCycle {
  private timer: NodeJS.Timeout | null = null;
  private stop: ((reason: string) => void) | null = null;

  constructor(
    private readonly ms: number,
    private readonly signal?: AbortSignal,
  ) {}

  offPeriod(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => this.cancel(CLOSED);
      const done = (reason: string | null) => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.stop = null;
        this.signal?.removeEventListener('abort', onAbort);
        if (reason === null) resolve();
        else reject(new BoardRefusal(`power tick cut short: ${reason}`));
      };
      this.stop = done;
      if (this.signal?.aborted) return done(CLOSED);
      this.signal?.addEventListener('abort', onAbort);
      this.timer = setTimeout(() => done(null), this.ms);
    });
  }

  cancel(reason: string): void {
    this.stop?.(reason);
  }
}
