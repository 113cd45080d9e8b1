import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Logger } from '../log/logger';
import { CommandReply } from './command.reply';
import { EchoOffReply } from './echo-off.reply';
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
import { ECHO_OFF, ERROR_LINE, isStatusLine, OK, UNKNOWN_LINE } from './stm.lines';

export type OnOff = 'on' | 'off';
/** Where the SD card is; `invalid` when the firmware reads its two switches inconsistently. */
export type MuxReading = 'dut' | 'ts' | 'invalid';
/** Where the DUT's USB wires go: the NanoPi's USB port, or its UART (USB-console DUTs). */
export type UsbRoute = 'usb' | 'uart';
/** `text` colours: `on` is drawn OR-ed over what is there, `inv` inverts, `clean` clears. */
export type TextColour = 'on' | 'off' | 'inv' | 'clean';

export interface StmDriverOptions {
  /** Per-command timeout; `power tick` gets its tick length on top. The firmware has none. */
  timeoutMs?: number;
  /** Device name used in error messages, e.g. `/dev/ttyS2`. */
  device?: string;
  logger?: Logger;
}

/** Firmware limits (docs/muxpi-protocol.md): longer lines are cut, extra words ignored. */
export const STM_MAX_LINE_BYTES = 64;
export const STM_MAX_TOKENS = 10;
/**
 * `text` joins its words into a 17-byte buffer without a bound check: a 17th character
 * overwrites the STM's memory. Also what fits a row of the 128-pixel OLED (8-pixel font).
 */
export const STM_TEXT_MAX_CHARS = 16;
/** The font is 16 px high and Y counts 8-px pages: rows start at 0..2 (0 and 2 do not overlap). */
export const STM_TEXT_MAX_Y = 2;
export const STM_TEXT_MAX_X = 128;
/**
 * The longest `power tick` the driver sends. The firmware's command task sleeps through a
 * tick (no replies, no button lines, input beyond 32 bytes lost), so a long one stalls every
 * other use of the STM; longer off-periods are power off + a timer + power on (BoardService).
 */
export const STM_MAX_TICK_MS = 60_000;

/** A press line; what comes before it is the start of a line it interrupted (an echo). */
const PRESSED = /^(.*?)pressed: ?(\d+)\s*$/;
/** The firmware does not debounce: one press may send two lines close together. */
const PRESS_BOUNCE_MS = 100;
/** Said with the first timeout on a port the STM never sent a byte on. */
export const STM_POWER_HINT =
  'nothing has come from the STM since the port was opened: it is powered by the NanoPi ' +
  'through a GPIO, so check that the muxpi-power service has run (systemctl status ' +
  "muxpi-power) and that no other program, such as upstream's stm.service, holds the port";
/** The protocol sheet's handshake reads at most this many lines looking for `OK`. */
const HANDSHAKE_MAX_LINES = 8;
/** After a timeout stale replies may still be queued; a resync tolerates more of them. */
const RESYNC_MAX_LINES = 32;
/** The longest answer: `help`, over 20 lines. More without a status line is noise. */
const MAX_PAYLOAD_LINES = 32;

type Settle = (error: StmError | null) => void;

/** What the exchange in flight does with the input. */
interface LineReader {
  line(text: string): void;
  /** Every line of one chunk of input has been given to `line`. */
  chunkEnd(): void;
  /** The time is up: true when the reader settled the exchange itself. */
  timedOut(): boolean;
}

interface Pending extends LineReader {
  command: string;
  settle: Settle;
}

/**
 * Client of the MuxPi STM's line protocol over any duplex byte stream (a serial port on the
 * board, an in-memory pipe in the fleet simulator). One command is in flight at a time; each
 * has its own timeout, after which the link is resynchronised with `echo off`. Echoed
 * commands, `pressed: N` lines and lines that arrive while idle are skipped. The firmware ends
 * every reply with exactly one status line, so a reply showing more than that (stale lines of
 * an earlier command) is out of step: a query is asked again after a resync, an action gets
 * the status line that turns up for it during the resync. A status line that arrives while
 * idle answers a command already settled by a stale line: the next command resyncs first.
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
  /** Any byte ever arrived: the STM is powered and wired, whatever else is wrong. */
  private heardFrom = false;
  /** The start of an echoed command that a button line interrupted (`pow` of `powpressed: 1`). */
  private echoFragment = '';
  private lastPress = { button: 0, at: 0 };
  /**
   * How long the line must stay quiet after a status line that a resync cannot otherwise
   * place (no echo, no acknowledgement) before it is taken as the answer to `echo off`.
   */
  private readonly quietMs: number;

  constructor(
    private readonly stream: Duplex,
    options: StmDriverOptions = {},
  ) {
    super();
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.quietMs = Math.max(20, Math.round(this.timeoutMs / 4));
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
  async open(): Promise<void> {
    await this.exclusive(() => this.resync(HANDSHAKE_MAX_LINES));
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

  /**
   * Power off, wait `ms` (the firmware treats 0 as 1000), power on. `OK` comes after the wait,
   * and the STM answers nothing else meanwhile: at most STM_MAX_TICK_MS.
   */
  async powerTick(ms = 1000): Promise<void> {
    const wait = checkInt('tick length', ms, 0, STM_MAX_TICK_MS);
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

  /** Where the SD card is, as the STM reads its switches. */
  async muxSide(): Promise<MuxReading> {
    // The firmware prints the side without a line end (`tsOK`); the reply splits it off.
    const line = await this.query(
      'mux',
      (lines) => lines.find((l) => /^(dut|ts|invalid)$/.test(l)),
      true,
    );
    return line as MuxReading;
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

  /**
   * Prints on the OLED (128×32, 8×16 font): `x` in pixels, `y` in 8-pixel pages, 0..2. Only
   * rows at y 0 and 2 do not overlap. At most 16 characters (the firmware's buffer).
   */
  async text(x: number, y: number, text: string, colour: TextColour = 'on'): Promise<void> {
    const px = checkInt('display x', x, 0, STM_TEXT_MAX_X);
    const py = checkInt('display y', y, 0, STM_TEXT_MAX_Y);
    const words = text.split(/\s+/).filter((w) => w.length > 0);
    if (words.length === 0) throw new StmArgumentError('display text must have at least one word');
    return this.action(`text ${px} ${py} ${colour} ${words.join(' ')}`);
  }

  async hdmi(state: OnOff): Promise<void> {
    return this.action(`hdmi ${state}`);
  }

  async dyper(which: 1 | 2, state: OnOff): Promise<void> {
    if (which !== 1 && which !== 2)
      throw new StmArgumentError(`dyper must be 1 or 2, got ${String(which)}`);
    return this.action(`dyper ${which} ${state}`);
  }

  /**
   * Routes the DUT's USB wires (`lthor switch`) and sets the DUT's USB mode to match (`lthor
   * id`): `usb` to the NanoPi's USB port (lthor, fastboot), `uart` to its UART.
   */
  async usbRoute(route: UsbRoute): Promise<void> {
    if (route !== 'usb' && route !== 'uart')
      throw new StmArgumentError(`USB route must be usb or uart, got ${String(route)}`);
    await this.action(`lthor switch ${route}`);
    await this.action(`lthor id ${route}`);
  }

  /** Where the DUT's USB wires go now. */
  async usbRouteState(): Promise<UsbRoute> {
    const line = await this.query('lthor switch', (lines) =>
      lines.find((l) => /^(usb|uart)$/i.test(l)),
    );
    return line.toLowerCase() as UsbRoute;
  }

  /** The DUT's USB VBUS. */
  async usbVbus(state: OnOff): Promise<void> {
    return this.action(`lthor vbus ${state}`);
  }

  /** Supply of the DUT UART level shifter, 0–5000 mV. */
  async uart(millivolts: number): Promise<void> {
    return this.action(`uart ${checkInt('UART supply (mV)', millivolts, 0, 5000)}`);
  }

  /**
   * ADC readings in mV, by channel: 1 current-sense amplifier, 2 unused input, 3
   * potentiometer, 4 internal temperature sensor, 5 internal reference (VREFINT). Without a
   * channel the firmware reads 1–4. (Its channel 0 reads outside its buffer: refused.)
   */
  async voltage(channel?: 1 | 2 | 3 | 4 | 5): Promise<Record<number, number>> {
    if (channel !== undefined) checkInt('ADC channel', channel, 1, 5);
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

  /** Echo switch. The published firmware cannot turn it off; the driver skips its echo. */
  async echo(state: OnOff): Promise<void> {
    return this.action(`echo ${state}`);
  }

  /**
   * Sends any command line and returns the lines before `OK`. For tools and tests; the typed
   * methods above validate replies and should be preferred.
   */
  async raw(command: string, extraTimeoutMs = 0): Promise<string[]> {
    checkLine(command);
    return this.exclusive(async () => {
      const reply = await this.exchange(command, extraTimeoutMs, true);
      this.throwIfRefused(command, await this.actionStatus(reply));
      return reply.payload;
    });
  }

  // --- internals ------------------------------------------------------------------------

  private action(command: string, extraTimeoutMs = 0): Promise<void> {
    checkLine(command);
    return this.exclusive(async () => {
      const reply = await this.exchange(command, extraTimeoutMs, false);
      this.throwIfRefused(command, await this.actionStatus(reply));
    });
  }

  /**
   * An action's status line. When its reply is out of step, the status line we hold may answer
   * an earlier command, and ours is then still on its way: a resync meets it before its own
   * `OK`. Actions are not sent again, since not all of them can be (power tick).
   */
  private async actionStatus(reply: CommandReply): Promise<string> {
    if (!reply.outOfStep) return reply.status;
    this.log.warn(`reply to "${reply.command}" out of step (${reply.describe()}); resynchronising`);
    const later = await this.resync(RESYNC_MAX_LINES);
    return later.length > 0 ? later[later.length - 1] : reply.status;
  }

  /**
   * A query whose reply must contain a line `pick` recognises. A reply without one, or out of
   * step (a stale `OK` or value, line noise), means we cannot trust it: resync and ask once
   * more, which is safe because queries change nothing.
   */
  private query(
    command: string,
    pick: (lines: string[]) => string | undefined,
    valueWithoutLineEnd = false,
  ): Promise<string> {
    return this.exclusive(async () => {
      for (let attempt = 1; ; attempt++) {
        const reply = await this.exchange(command, 0, true, valueWithoutLineEnd);
        if (!reply.outOfStep) {
          this.throwIfRefused(command, reply.status);
          const found = pick(reply.payload);
          if (found !== undefined) return found;
        }
        const detail = reply.describe();
        this.log.warn(`unexpected reply to "${command}" (${detail}); resynchronising`);
        this.needsResync = true;
        if (attempt === 2) throw new StmProtocolError(this.device, command, detail);
      }
    });
  }

  private throwIfRefused(command: string, status: string): void {
    if (status === ERROR_LINE) throw new StmCommandError(this.device, command);
    if (status === UNKNOWN_LINE) throw new StmUnknownCommandError(this.device, command);
  }

  /** Runs `job` after every earlier job has finished: one command in flight at a time. */
  private exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = this.tail.then(job, job);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async exchange(
    command: string,
    extraTimeoutMs: number,
    expectsPayload: boolean,
    valueWithoutLineEnd = false,
  ): Promise<CommandReply> {
    if (this.needsResync) await this.resync(RESYNC_MAX_LINES);
    const reply = new CommandReply(command, expectsPayload, MAX_PAYLOAD_LINES, valueWithoutLineEnd);
    await this.transact(command, this.timeoutMs + extraTimeoutMs, (settle) => ({
      line: (text) => {
        if (reply.add(text)) return;
        this.needsResync = true;
        settle(new StmProtocolError(this.device, command, 'too many lines without a status line'));
      },
      // Not at the status line itself: one right behind it in the same burst shows it was stale.
      chunkEnd: () => {
        if (reply.complete) settle(null);
      },
      timedOut: () => {
        // Drain whatever the STM still sends for the lost command before the next one.
        if (!this.closedError)
          this.exclusive(() => this.resync(RESYNC_MAX_LINES)).catch(() => undefined);
        return false;
      },
    }));
    return reply;
  }

  /**
   * Sends `echo off` and reads until the STM is in step (see EchoOffReply). Returns the status
   * lines that came before ours, which answer earlier commands.
   */
  private async resync(maxLines: number): Promise<string[]> {
    this.splitter.reset();
    this.echoFragment = '';
    const reply = new EchoOffReply(maxLines);
    let quiet: NodeJS.Timeout | undefined;
    try {
      await this.transact(ECHO_OFF, this.timeoutMs, (settle) => ({
        line: (text) => {
          clearTimeout(quiet);
          const verdict = reply.add(text);
          if (verdict === 'ours') settle(null);
          else if (verdict === 'maybe-ours') quiet = setTimeout(() => settle(null), this.quietMs);
          else if (verdict === 'too-many')
            settle(new StmProtocolError(this.device, ECHO_OFF, `no "OK" within ${maxLines} lines`));
        },
        chunkEnd: () => undefined,
        // A status line nothing followed is ours, however long the wait was.
        timedOut: () => {
          if (reply.status === null) return false;
          settle(null);
          return true;
        },
      }));
    } finally {
      clearTimeout(quiet);
    }
    if (reply.status !== OK) {
      this.log.warn(`"${ECHO_OFF}" answered "${reply.status}"; echoed lines will be skipped`);
    }
    this.needsResync = false;
    return reply.earlier;
  }

  /** Sends one line; `read` gets what comes back until it settles, or the time is up. */
  private transact(
    command: string,
    timeoutMs: number,
    read: (settle: Settle) => LineReader,
  ): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (pending.timedOut()) return;
        this.log.warn(`no reply to "${command}" within ${timeoutMs} ms`);
        this.needsResync = true;
        this.lastOk = false;
        const hint = this.heardFrom ? undefined : STM_POWER_HINT;
        settle(new StmTimeoutError(this.device, command, timeoutMs, hint));
      }, timeoutMs);
      const settle: Settle = (error) => {
        if (this.pending !== pending) return;
        clearTimeout(timer);
        this.pending = null;
        if (error) {
          reject(error);
        } else {
          this.lastOk = true;
          resolve();
        }
      };
      const pending: Pending = { command, settle, ...read(settle) };
      this.pending = pending;
      this.log.debug(`> ${command}`);
      this.stream.write(command + '\n', (error) => {
        // A failed write means the device is gone (EIO once the other end vanished).
        if (error) this.markClosed(error.message);
      });
    });
  }

  private onData(chunk: Buffer): void {
    if (chunk.length > 0) this.heardFrom = true;
    for (const line of this.splitter.feed(chunk)) this.onLine(line);
    this.pending?.chunkEnd();
  }

  private onLine(rawLine: string): void {
    const joined = this.echoFragment + rawLine;
    this.echoFragment = '';
    const pressed = PRESSED.exec(joined);
    if (pressed) {
      this.onPressed(Number(pressed[2]));
      // A press can land in the middle of an echoed command (`powpressed: 1`, then `er`): keep
      // the start and put the command together again with the next line.
      const before = pressed[1];
      const command = this.pending?.command;
      if (command !== undefined && before !== command && command.startsWith(before)) {
        this.echoFragment = before;
        return;
      }
      if (before.trim() === '') return;
      this.onReplyLine(before);
      return;
    }
    this.onReplyLine(joined);
  }

  private onPressed(button: number): void {
    const now = Date.now();
    const bounce = this.lastPress.button === button && now - this.lastPress.at < PRESS_BOUNCE_MS;
    this.lastPress = { button, at: now };
    if (bounce) {
      this.log.debug(`button ${button}: second line of the same press ignored`);
      return;
    }
    this.log.info(`button ${button} pressed`);
    this.emit('pressed', button);
  }

  private onReplyLine(rawLine: string): void {
    const line = rawLine.trim();
    const pending = this.pending;
    if (pending) {
      this.log.debug(`< ${rawLine}`);
      pending.line(line);
    } else if (isStatusLine(line)) {
      // Every command gets exactly one status line and each in flight had its own: this one
      // answers a command whose reply was a stale line. Get in step before the next command.
      this.log.warn(`"${line}" arrived with no command in flight; resynchronising`);
      this.needsResync = true;
    } else {
      this.log.debug(`dropped stale line ${JSON.stringify(rawLine)}`);
    }
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
  const words = command.split(/\s+/).filter(Boolean);
  if (words.length > STM_MAX_TOKENS) {
    throw new StmArgumentError(
      `STM command with more than ${STM_MAX_TOKENS} words: ${JSON.stringify(command)}`,
    );
  }
  if (words[0] === 'text') checkText(words);
  if (words[0] === 'power' && /^tick/i.test(words[1] ?? '')) checkTick(words[2]);
}

/** What would garble the OLED or overrun the firmware's 17-byte text buffer. */
function checkText(words: string[]): void {
  const text = words.slice(4).join(' ');
  if (text.length > STM_TEXT_MAX_CHARS) {
    throw new StmArgumentError(
      `display text longer than ${STM_TEXT_MAX_CHARS} characters (it would overrun the STM's ` +
        `buffer): ${JSON.stringify(text)}`,
    );
  }
  const y = Number(words[2]);
  if (words[2] !== undefined && /^\d+$/.test(words[2]) && y > STM_TEXT_MAX_Y) {
    throw new StmArgumentError(
      `display y must be 0..${STM_TEXT_MAX_Y} (8-pixel pages of a 16-pixel font), got ${y}`,
    );
  }
}

/** A tick blocks the STM for its whole length. */
function checkTick(length: string | undefined): void {
  const ms = Number(/^\d+/.exec(length ?? '')?.[0] ?? 0);
  if (ms > STM_MAX_TICK_MS) {
    throw new StmArgumentError(
      `power tick longer than ${STM_MAX_TICK_MS} ms (the STM answers nothing while it runs): ${ms}`,
    );
  }
}
