import { Injectable, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';

/** A cancel function returned by Clock.schedule. */
export type CancelTimer = () => void;

/**
 * Time as Leshy sees it. Everything that reads the time or waits for a moment takes a Clock,
 * so tests can replace it with a controllable one (test/fakes/fake-clock.ts).
 */
export abstract class Clock {
  abstract now(): Date;
  /** Calls `fn` once `at` has come (at once if it has passed). `name` makes the timer listable. */
  abstract schedule(at: Date, fn: () => void, name?: string): CancelTimer;
}

/** setTimeout only takes delays up to 2^31-1 ms (~24.8 days); longer waits are chained. */
const MAX_TIMEOUT_MS = 2_147_483_647;

@Injectable()
export class SystemClock extends Clock {
  constructor(@Optional() private readonly registry?: SchedulerRegistry) {
    super();
  }

  now(): Date {
    return new Date();
  }

  schedule(at: Date, fn: () => void, name?: string): CancelTimer {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const forget = () => {
      if (name && this.registry?.doesExist('timeout', name)) this.registry.deleteTimeout(name);
    };
    const arm = () => {
      const delay = Math.max(0, at.getTime() - Date.now());
      handle = setTimeout(
        () => {
          if (cancelled) return;
          if (delay > MAX_TIMEOUT_MS) return arm();
          forget();
          fn();
        },
        Math.min(delay, MAX_TIMEOUT_MS),
      );
      handle.unref?.();
      if (name && this.registry) {
        forget();
        this.registry.addTimeout(name, handle);
      }
    };
    arm();
    return () => {
      cancelled = true;
      if (handle) clearTimeout(handle);
      forget();
    };
  }
}
