import { CancelTimer, Clock } from '../../src/common/clock';

interface Timer {
  at: number;
  fn: () => void;
  seq: number;
}

/**
 * A clock that only moves when the test says so. Timers scheduled on it fire, in order of
 * their moment, when advance()/set() passes them.
 */
export class FakeClock extends Clock {
  private time: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start: Date | string = '2030-01-01T00:00:00Z') {
    super();
    this.time = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.time);
  }

  schedule(at: Date, fn: () => void): CancelTimer {
    const timer = { at: at.getTime(), fn, seq: this.seq++ };
    this.timers.push(timer);
    if (timer.at <= this.time) queueMicrotask(() => this.fire(timer));
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  advance(ms: number): void {
    this.set(new Date(this.time + ms));
  }

  set(moment: Date): void {
    this.time = moment.getTime();
    const due = this.timers
      .filter((t) => t.at <= this.time)
      .sort((a, b) => a.at - b.at || a.seq - b.seq);
    for (const timer of due) this.fire(timer);
  }

  /** Moves time without firing timers, as if the process had been suspended. */
  jump(ms: number): void {
    this.time += ms;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  private fire(timer: Timer): void {
    if (!this.timers.includes(timer)) return;
    this.timers = this.timers.filter((t) => t !== timer);
    timer.fn();
  }
}
