import { ECHO_OFF, ECHO_OFF_ACK, isStatusLine } from './stm.lines';

/**
 * - `ours`: this status line answers our `echo off`;
 * - `maybe-ours`: a status line with nothing to tell whose it is; ours if the line stays quiet;
 * - `too-many`: the line limit passed without an answer.
 */
export type EchoOffVerdict = 'more' | 'ours' | 'maybe-ours' | 'too-many';

/**
 * What comes back after `echo off`, the command that gets the driver in step with the STM (on
 * open, and after a timeout or a reply out of step). Status lines of earlier commands may come
 * first; ours is known in one of two ways:
 * - after a marker, our own echo (echo on, or stuck on) or a line containing `Echo is off now`:
 *   the firmware answers in order, so the next status line is ours;
 * - without one (echo already off, and a firmware revision that prints no acknowledgement):
 *   the last status line is ours once nothing follows it, since nothing was sent after
 *   `echo off`. The driver decides when the line has been quiet long enough.
 * Apart from that the sheet's rule holds: skip the echo and the acknowledgement, read at most
 * `maxLines` lines.
 */
export class EchoOffReply {
  /** Status lines that came before ours: answers to earlier commands, oldest first. */
  readonly earlier: string[] = [];
  private marked = false;
  private candidate: string | null = null;
  private count = 0;

  constructor(private readonly maxLines: number) {}

  /** The status line taken as ours (once `ours`, or once quiet after `maybe-ours`). */
  get status(): string | null {
    return this.candidate;
  }

  add(line: string): EchoOffVerdict {
    this.count++;
    if (line === ECHO_OFF || line.includes(ECHO_OFF_ACK)) {
      this.marked = true;
      this.demoteCandidate();
    } else if (isStatusLine(line)) {
      this.demoteCandidate();
      this.candidate = line;
      if (this.marked) return 'ours';
      // The last of the allowed lines: take it, there is no reading on to check.
      return this.count >= this.maxLines ? 'ours' : 'maybe-ours';
    }
    if (this.count >= this.maxLines) return 'too-many';
    return this.candidate ? 'maybe-ours' : 'more';
  }

  private demoteCandidate(): void {
    if (this.candidate !== null) this.earlier.push(this.candidate);
    this.candidate = null;
  }
}
