import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Logger } from '../log/logger';
import { LineSplitter } from './line.splitter';
import { releaseSerialStream } from './serial-stream.release';
import {
  StmArgumentError,
  StmClosedError,
  StmCommandError,
  StmError,
  StmProtocolError,
  StmTimeoutError,
  StmUnknownCommandError,
} from './stm.errors';

export type OnOff = 'on' | 'off';

export interface StmDriverOptions {
  /** Per-command timeout; `power tick` gets its tick length on top. The firmware has none. */
  timeoutMs?: number;
  /** Device name used in error messages, e.g. `/dev/ttyS2`. */
  device?: string;
  logger?: Logger;
}

/** Firmware limits (see muxpi-stm-protocol.md): longer lines are cut, extra words ignored. */
export const STM_MAX_LINE_BYTES = 64;
export const STM_MAX_TOKENS = 10;

const OK = 'OK';
const ERROR_LINE = 'Error processing command';
const UNKNOWN_LINE = 'Unknown command';
const PRESSED = /^pressed: ?(\d+)$/;
const ECHO_OFF_ACK = 'Echo is off now';
/** The protocol sheet's handshake reads at most this many lines looking for `OK`. */
const HANDSHAKE_MAX_LINES = 8;
/** After a timeout stale replies may still be queued; a resync tolerates more of them. */
const RESYNC_MAX_LINES = 32;
const MAX_PAYLOAD_LINES = 16;

interface Pending {
  command: string;
  kind: 'command' | 'resync';
  payload: string[];
  seen: number;
  sawEchoOffAck: boolean;
  maxLines: number;
  settle(error: StmError | null, payload?: string[]): void;
}

/**
 * Client of the MuxPi STM's line protocol over any duplex byte stream (a serial port on the
 * board, an in-memory pipe in the fleet simulator). One command is in flight at a time; each
 * has its own timeout, after which the link is resynchronised with `echo off`. Echoed
 * commands, `pressed: N` lines and lines that arrive while idle are skipped.
 *
 * Emits `pressed` (button number) and `close` (StmClosedError).
 */
export class StmDriver extends EventEmitter {
  private readonly timeoutMs: number;
  readonly device: string;
  private readonly log: Logger;
  private readonly splitter = new LineSplitter();
  private pending: Pending | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private needsResync = false;
  private closedError: StmClosedError | null = null;
  private lastOk = false;

  constructor(
    private readonly stream: Duplex,
    options: StmDriverOptions = {},
  ) {
    super();
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.device = options.device ?? 'STM';
    this.log = (options.logger ?? Logger.silent()).child('stm');
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    const onGone = (why: string) => this.markClosed(why);
    stream.on('close', () => onGone('port closed'));
    stream.on('end', () => onGone('port closed by the other end'));
    stream.on('error', (error: Error) => onGone(error.message));
  }

  /** True when the last exchange with the STM succeeded. */
  get responding(): boolean {
    return this.lastOk && !this.closedError;
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /** Turns echo off (the handshake every client does on open). */
  open(): Promise<void> {
    return this.exclusive(() => this.resync(HANDSHAKE_MAX_LINES));
  }

  // --- typed commands -------------------------------------------------------------------

  async power(): Promise<OnOff> {
    const line = await this.query('power', (lines) =>
      lines.find((l) => /^(on|off)$/i.test(l.trim())),
    );
    return line.trim().toLowerCase() as OnOff;
  }

  async powerOn(): Promise<void> {
    return this.action('power on');
  }

  async powerOff(): Promise<void> {
    return this.action('power off');
  }

  /** Power off, wait `ms` (the firmware treats 0 as 1000), power on. `OK` comes after the wait. */
  async powerTick(ms = 1000): Promise<void> {
    const wait = checkInt('tick length', ms, 0, 3_600_000);
    return this.action(`power tick ${wait}`, wait === 0 ? 1000 : wait);
  }

  /** SD card to the DUT and DUT power on. */
  async dut(): Promise<void> {
    return this.action('dut');
  }

  /** SD card to the NanoPi's reader and DUT power off. */
  async ts(): Promise<void> {
    return this.action('ts');
  }

  /** Moves the SD card only; power is unchanged. */
  async mux(side: 'dut' | 'ts'): Promise<void> {
    return this.action(`mux ${side}`);
  }

  /** DUT current in mA (0 while powered off). */
  async current(): Promise<number> {
    const line = await this.query('current', (lines) =>
      lines.find((l) => /^-?\d+$/.test(l.trim())),
    );
    return Number(line.trim());
  }

  async led(led: 1 | 2, red: number, green: number, blue: number): Promise<void> {
    if (led !== 1 && led !== 2)
      throw new StmArgumentError(`LED must be 1 or 2, got ${String(led)}`);
    const rgb = [red, green, blue].map((v) => checkInt('LED colour value', v, 0, 255));
    return this.action(`led ${led} ${rgb.join(' ')}`);
  }

  async clearDisplay(): Promise<void> {
    return this.action('clr');
  }

  /** Prints on the OLED. `x` in pixels (0–128), `y` in 8-pixel rows. */
  async text(x: number, y: number, text: string, on = true): Promise<void> {
    const px = checkInt('display x', x, 0, 128);
    const py = checkInt('display y', y, 0, 32);
    const words = text.split(/\s+/).filter((w) => w.length > 0);
    if (words.length === 0) throw new StmArgumentError('display text must have at least one word');
    return this.action(`text ${px} ${py} ${on ? 'on' : 'off'} ${words.join(' ')}`);
  }

  async hdmi(state: OnOff): Promise<void> {
    return this.action(`hdmi ${state}`);
  }

  async dyper(which: 1 | 2, state: OnOff): Promise<void> {
    if (which !== 1 && which !== 2)
      throw new StmArgumentError(`dyper must be 1 or 2, got ${String(which)}`);
    return this.action(`dyper ${which} ${state}`);
  }

  /** Supply of the DUT UART level shifter, 0–5000 mV. */
  async uart(millivolts: number): Promise<void> {
    return this.action(`uart ${checkInt('UART supply (mV)', millivolts, 0, 5000)}`);
  }

  /** ADC readings in mV, by channel; one channel (1–4) or all. */
  async voltage(channel?: 1 | 2 | 3 | 4): Promise<Record<number, number>> {
    if (channel !== undefined) checkInt('ADC channel', channel, 1, 4);
    const command = channel === undefined ? 'voltage' : `voltage ${channel}`;
    let readings: Record<number, number> = {};
    await this.query(command, (lines) => {
      readings = {};
      for (const line of lines) {
        const m = /^adc(\d+):\s*(-?\d+)/.exec(line.trim());
        if (m) readings[Number(m[1])] = Number(m[2]);
      }
      const wanted = channel === undefined ? [1, 2, 3, 4] : [channel];
      return wanted.every((c) => c in readings) ? 'ok' : undefined;
    });
    return readings;
  }

  async version(): Promise<string> {
    const line = await this.query('version', (lines) => lines.find((l) => /firmware/i.test(l)));
    return line.trim();
  }

  /** Echo switch; the agent keeps it off (the handshake does that). */
  async echo(state: OnOff): Promise<void> {
    return this.action(`echo ${state}`);
  }

  /**
   * Sends any command line and returns the lines before `OK`. For tools and tests; the typed
   * methods above validate replies and should be preferred.
   */
  async raw(command: string, extraTimeoutMs = 0): Promise<string[]> {
    checkLine(command);
    return this.exclusive(() => this.exchange(command, extraTimeoutMs));
  }

  // --- internals ------------------------------------------------------------------------

  private async action(command: string, extraTimeoutMs = 0): Promise<void> {
    checkLine(command);
    return this.exclusive(async () => {
      await this.exchange(command, extraTimeoutMs);
    });
  }

  /**
   * A query whose reply must contain a line `pick` recognises. A reply without one means we
   * are out of step (a stale `OK`, line noise): resync and ask once more, which is safe
   * because queries change nothing.
   */
  private query(command: string, pick: (lines: string[]) => string | undefined): Promise<string> {
    return this.exclusive(async () => {
      for (let attempt = 1; ; attempt++) {
        const lines = await this.exchange(command, 0);
        const found = pick(lines);
        if (found !== undefined) return found;
        const detail = lines.length ? `got ${JSON.stringify(lines)}` : 'got OK without a value';
        this.log.warn(`unexpected reply to "${command}" (${detail}); resynchronising`);
        this.needsResync = true;
        if (attempt === 2) throw new StmProtocolError(this.device, command, detail);
      }
    });
  }

  /** Runs `job` after every earlier job has finished: one command in flight at a time. */
  private exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = this.tail.then(job, job);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async exchange(command: string, extraTimeoutMs: number): Promise<string[]> {
    if (this.needsResync) await this.resync(RESYNC_MAX_LINES);
    return this.transact(command, 'command', this.timeoutMs + extraTimeoutMs, MAX_PAYLOAD_LINES);
  }

  /** `echo off`, then skip everything up to the `OK` that follows `Echo is off now`. */
  private async resync(maxLines: number): Promise<void> {
    this.splitter.reset();
    await this.transact('echo off', 'resync', this.timeoutMs, maxLines);
    this.needsResync = false;
  }

  private transact(
    command: string,
    kind: Pending['kind'],
    timeoutMs: number,
    maxLines: number,
  ): Promise<string[]> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.log.warn(`no reply to "${command}" within ${timeoutMs} ms`);
        this.needsResync = true;
        this.lastOk = false;
        pending.settle(new StmTimeoutError(this.device, command, timeoutMs));
        // Drain whatever the STM still sends for the lost command before the next one.
        if (kind === 'command' && !this.closedError)
          this.exclusive(() => this.resync(RESYNC_MAX_LINES)).catch(() => undefined);
      }, timeoutMs);
      const pending: Pending = {
        command,
        kind,
        payload: [],
        seen: 0,
        sawEchoOffAck: false,
        maxLines,
        settle: (error, payload) => {
          if (this.pending !== pending) return;
          clearTimeout(timer);
          this.pending = null;
          if (error) {
            reject(error);
          } else {
            this.lastOk = true;
            resolve(payload ?? []);
          }
        },
      };
      this.pending = pending;
      this.log.debug(`> ${command}`);
      this.stream.write(command + '\n', (error) => {
        // A failed write means the device is gone (EIO once the other end vanished).
        if (error) this.markClosed(error.message);
      });
    });
  }

  private onData(chunk: Buffer): void {
    for (const line of this.splitter.feed(chunk)) this.onLine(line);
  }

  private onLine(rawLine: string): void {
    const line = rawLine.trim();
    const pressed = PRESSED.exec(line);
    if (pressed) {
      this.log.info(`button ${pressed[1]} pressed`);
      this.emit('pressed', Number(pressed[1]));
      return;
    }
    const pending = this.pending;
    if (!pending) {
      this.log.debug(`dropped stale line ${JSON.stringify(rawLine)}`);
      return;
    }
    this.log.debug(`< ${rawLine}`);
    if (line === pending.command) return; // our own echo (echo on, or a firmware that cannot turn it off)
    if (pending.kind === 'resync') this.onResyncLine(pending, line);
    else this.onCommandLine(pending, line);
  }

  private onCommandLine(pending: Pending, line: string): void {
    if (line === OK) return pending.settle(null, pending.payload);
    if (line === ERROR_LINE)
      return this.answered(pending, new StmCommandError(this.device, pending.command));
    if (line === UNKNOWN_LINE)
      return this.answered(pending, new StmUnknownCommandError(this.device, pending.command));
    pending.payload.push(line);
    if (pending.payload.length > pending.maxLines) {
      this.needsResync = true;
      pending.settle(
        new StmProtocolError(this.device, pending.command, 'too many lines without a status line'),
      );
    }
  }

  private onResyncLine(pending: Pending, line: string): void {
    pending.seen++;
    if (line.startsWith(ECHO_OFF_ACK)) {
      pending.sawEchoOffAck = true;
    } else if (line === OK && pending.sawEchoOffAck) {
      return pending.settle(null, []);
    } else if (line === OK || line === ERROR_LINE || line === UNKNOWN_LINE) {
      // A status line before our acknowledgement belongs to an earlier, lost command.
      this.log.debug(`skipped stale "${line}" while resynchronising`);
    }
    if (pending.seen >= pending.maxLines) {
      pending.settle(
        new StmProtocolError(this.device, 'echo off', `no "OK" within ${pending.maxLines} lines`),
      );
    }
  }

  /** The STM answered, so it is alive, even though the answer is a refusal. */
  private answered(pending: Pending, error: StmError): void {
    this.lastOk = true;
    pending.settle(error);
  }

  private markClosed(why: string): void {
    if (this.closedError) return;
    this.closedError = new StmClosedError(this.device, why);
    this.lastOk = false;
    this.log.warn(`serial port closed: ${why}`);
    this.pending?.settle(this.closedError);
    this.emit('close', this.closedError);
  }

  /** Closes the underlying stream; pending and later commands fail with StmClosedError. */
  close(why = 'closed by the agent'): void {
    this.markClosed(why);
    releaseSerialStream(this.stream);
  }
}

function checkInt(what: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new StmArgumentError(`${what} must be an integer ${min}..${max}, got ${String(value)}`);
  }
  return value;
}

/** The firmware silently cuts long lines and ignores extra words: refuse to send those. */
function checkLine(command: string): void {
  if (!/^[\x20-\x7e]+$/.test(command)) {
    throw new StmArgumentError(
      `STM commands are printable ASCII on one line, got ${JSON.stringify(command)}`,
    );
  }
  if (Buffer.byteLength(command) > STM_MAX_LINE_BYTES) {
    throw new StmArgumentError(
      `STM command longer than ${STM_MAX_LINE_BYTES} bytes: ${JSON.stringify(command)}`,
    );
  }
  if (command.split(/\s+/).filter(Boolean).length > STM_MAX_TOKENS) {
    throw new StmArgumentError(
      `STM command with more than ${STM_MAX_TOKENS} words: ${JSON.stringify(command)}`,
    );
  }
}
