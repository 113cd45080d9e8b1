/** Lines of the STM's wire protocol that the driver recognises (see docs/muxpi-protocol.md). */

/** The status lines: every command's reply ends with exactly one of them. */
export const OK = 'OK';
export const ERROR_LINE = 'Error processing command';
export const UNKNOWN_LINE = 'Unknown command';

/** The command that turns echo off, and that the driver resynchronises with. */
export const ECHO_OFF = 'echo off';
/** What the firmware prints before the `OK` of `echo off` (some builds print nothing). */
export const ECHO_OFF_ACK = 'Echo is off now';

export function isStatusLine(line: string): boolean {
  return line === OK || line === ERROR_LINE || line === UNKNOWN_LINE;
}
