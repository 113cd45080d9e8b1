import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * How much the machine itself stalled during a measurement: CPU time stolen by the hypervisor
 * (from /proc/stat) and how late this process's event loop ran. This VM shares its cores, so
 * latency tails are read next to these figures.
 */
/** The event-loop sampler's timer period (ms). */
const RESOLUTION_MS = 10;

export class MachineNoise {
  private readonly loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private readonly startSteal = stealAndTotal();

  constructor() {
    this.loop.enable();
  }

  report(): string {
    this.loop.disable();
    const end = stealAndTotal();
    const steal =
      (100 * (end.steal - this.startSteal.steal)) / Math.max(1, end.total - this.startSteal.total);
    return `machine: ${steal.toFixed(0)}% CPU stolen by the hypervisor, event loop late p99 ${lateMs(this.loop.percentile(99))} ms, max ${lateMs(this.loop.max)} ms`;
  }
}

/**
 * The histogram records the time between two firings of its timer, period included:
 * lateness is what exceeds the period.
 */
function lateMs(betweenFiringsNs: number): string {
  return Math.max(0, betweenFiringsNs / 1e6 - RESOLUTION_MS).toFixed(1);
}

function stealAndTotal(): { steal: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return { steal: fields[7] ?? 0, total: fields.reduce((a, b) => a + b, 0) };
  } catch {
    return { steal: 0, total: 0 };
  }
}
