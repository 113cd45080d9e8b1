import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { PerformanceObserver } from 'node:perf_hooks';
import { activitiesDuring, recordActivity } from './loop-activity';

/** How often the loop is sampled, and how late a sample must be to count as a stall (ms). */
const TICK_MS = 5;
export const STALL_MS = 10;

export interface EventLoopStallReport {
  /** Stalls longer than STALL_MS since start. */
  stalls: number;
  longestMs: number;
  /** Stalls by what overlapped them (GC, sweep, checkpoint, matcher, …; "other" if nothing). */
  byCause: Record<string, number>;
  /** Garbage-collection pauses and their total time since start. */
  gcPauses: number;
  gcMs: number;
}

/**
 * Counts event-loop stalls and says what they overlapped, so a latency tail can be told apart
 * into GC, the server's own periodic work, and everything else (the machine). A timer every
 * TICK_MS measures how late it fires; GC pauses come from the 'gc' performance entries.
 */
@Injectable()
export class EventLoopStalls implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private observer: PerformanceObserver | null = null;
  private last = 0;
  private readonly report_: EventLoopStallReport = {
    stalls: 0,
    longestMs: 0,
    byCause: {},
    gcPauses: 0,
    gcMs: 0,
  };

  onModuleInit(): void {
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        this.report_.gcPauses++;
        this.report_.gcMs += entry.duration;
        recordActivity('gc', entry.startTime, entry.startTime + entry.duration);
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
    this.last = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.observer?.disconnect();
  }

  report(): EventLoopStallReport {
    return {
      ...this.report_,
      longestMs: Math.round(this.report_.longestMs * 10) / 10,
      gcMs: Math.round(this.report_.gcMs * 10) / 10,
      byCause: { ...this.report_.byCause },
    };
  }

  private tick(): void {
    const now = performance.now();
    const late = now - this.last - TICK_MS;
    const from = this.last;
    this.last = now;
    if (late <= STALL_MS) return;
    this.report_.stalls++;
    this.report_.longestMs = Math.max(this.report_.longestMs, late);
    // GC entries arrive a moment after the pause: looked up once they can have arrived.
    setTimeout(() => {
      const causes = activitiesDuring(from, now);
      for (const cause of causes.length ? causes : ['other'])
        this.report_.byCause[cause] = (this.report_.byCause[cause] ?? 0) + 1;
    }, TICK_MS).unref();
  }
}
