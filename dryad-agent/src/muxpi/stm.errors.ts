/**
 * Typed failures of the STM link. Their messages are written for a lab admin reading the
 * server's worker page or the journal: they name the serial device and what was asked.
 */
export class StmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The STM did not finish a command in time (it hangs, is unpowered or unplugged, or the line
 * is broken). `hint` names the likely cause when the driver has one.
 */
export class StmTimeoutError extends StmError {
  constructor(
    readonly device: string,
    readonly command: string,
    readonly timeoutMs: number,
    hint?: string,
  ) {
    super(
      `STM not answering on ${device} (timeout after ${timeoutMs} ms waiting for "${command}")` +
        (hint ? `: ${hint}` : ''),
    );
  }
}

/** The STM answered `Error processing command`: bad arguments or the action failed. */
export class StmCommandError extends StmError {
  constructor(
    readonly device: string,
    readonly command: string,
  ) {
    super(`STM on ${device} refused "${command}" (Error processing command)`);
  }
}

/** The STM answered `Unknown command`: this firmware does not know the command. */
export class StmUnknownCommandError extends StmError {
  constructor(
    readonly device: string,
    readonly command: string,
  ) {
    super(
      `STM on ${device} does not know "${command}" (Unknown command): check the firmware version`,
    );
  }
}

/** The reply did not have the expected shape (line noise, a stale reply, another firmware). */
export class StmProtocolError extends StmError {
  constructor(
    readonly device: string,
    readonly command: string,
    detail: string,
  ) {
    super(`STM on ${device} gave an unexpected reply to "${command}": ${detail}`);
  }
}

/** The serial port is closed (device unplugged, or the agent is shutting down). */
export class StmClosedError extends StmError {
  constructor(
    readonly device: string,
    detail = 'port closed',
  ) {
    super(`STM serial port ${device} is not open (${detail})`);
  }
}

/** We refused to send something the firmware would mangle (too long, too many words, bad value). */
export class StmArgumentError extends StmError {}
