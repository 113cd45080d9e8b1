import { isStatusLine, OK } from './stm.lines';

/**
 * The lines that come back for one command, up to the end of the input chunk that brought a
 * status line. The firmware answers every command with exactly one status line, in order, and
 * an action prints nothing before it. So a second status line, anything after one, or any line
 * in front of an action's status line means part of this belongs to an earlier command: the
 * reply is out of step, and its first status line may not be this command's.
 */
export class CommandReply {
  /** Everything received for the command except its own echo, in order. */
  readonly lines: string[] = [];
  /** Lines before the first status line: a query's value (or noise, or a stale value). */
  readonly payload: string[] = [];
  private readonly statuses: string[] = [];
  private afterStatus = 0;

  /**
   * @param valueWithoutLineEnd the firmware prints this query's value with no line end, so
   * it arrives glued to the status line (`tsOK`): take such a line apart.
   */
  constructor(
    readonly command: string,
    private readonly expectsPayload: boolean,
    private readonly maxPayloadLines: number,
    private readonly valueWithoutLineEnd = false,
  ) {}

  /** Takes one line; false once more lines came than any reply has. */
  add(line: string): boolean {
    // Our own echo: the published firmware cannot turn echo off.
    if (line === this.command) return true;
    if (
      this.valueWithoutLineEnd &&
      this.statuses.length === 0 &&
      line.length > OK.length &&
      line.endsWith(OK)
    ) {
      return this.add(line.slice(0, -OK.length)) && this.add(OK);
    }
    this.lines.push(line);
    if (isStatusLine(line)) this.statuses.push(line);
    else if (this.statuses.length > 0) this.afterStatus++;
    else this.payload.push(line);
    return this.payload.length <= this.maxPayloadLines;
  }

  get complete(): boolean {
    return this.statuses.length > 0;
  }

  get outOfStep(): boolean {
    return (
      this.statuses.length > 1 ||
      this.afterStatus > 0 ||
      (!this.expectsPayload && this.payload.length > 0)
    );
  }

  /** This command's status as far as the reply shows: the last one, as stale lines come first. */
  get status(): string {
    return this.statuses[this.statuses.length - 1];
  }

  describe(): string {
    return this.lines.length === 1 && this.complete
      ? `got ${this.lines[0]} without a value`
      : `got ${JSON.stringify(this.lines)}`;
  }
}
