import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import {
  bootState,
  CommandOutcome,
  StmCommandInterpreter,
  StmState,
} from './stm-command.interpreter';

/** Firmware line buffer: bytes past this many in one line are dropped silently. */
export const SIM_LINE_BUFFER_BYTES = 64;
/** Firmware tokenizer: words past this many are ignored. */
export const SIM_MAX_TOKENS = 10;

export interface StmFaults {
  /** The STM reads and ignores everything: no echo, no action, no reply (a hung firmware). */
  noReply: boolean;
  /** Every reply is held back this long (the action itself happens at once). */
  slowMs: number;
  /** `echo off` is acknowledged but echo stays on (a firmware revision that cannot turn it off). */
  echoStuck: boolean;
  /** `echo on|off` is answered with a bare `OK`, without the `Echo is … now.` line. */
  noEchoAck: boolean;
  /** Bytes that arrive while a `power tick` waits are lost instead of buffered. */
  dropDuringTick: boolean;
}

/**
 * The MuxPi STM on the far end of a byte stream (a pty pair made by socat, or an in-memory
 * pipe in the fleet). Follows the wire facts of muxpi-stm-protocol.md: LF or CR ends a line,
 * empty lines get no reply, 64-byte line buffer, at most 10 tokens, `\r\n` line endings, raw
 * echo with the terminator echoed as `\n\r`, boot state ts/off/LEDs off/echo on. Faults can be
 * switched on to test the agent's robustness.
 *
 * Emits `power` ('on' | 'off') whenever the DUT's power changes, for the simulated DUT, and
 * `command` (the received line) before executing each command, for tests.
 */
export class StmSimulator extends EventEmitter {
  readonly faults: StmFaults = {
    noReply: false,
    slowMs: 0,
    echoStuck: false,
    noEchoAck: false,
    dropDuringTick: false,
  };
  private readonly interpreter: StmCommandInterpreter;
  private line = '';
  private readonly inbox: number[] = [];
  private busy = false;
  private ticking = false;
  private lastReply: string[] = [];
  private prefixNextReply: string[] = [];
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly stream: Duplex,
    state: StmState = bootState(),
  ) {
    super();
    this.interpreter = new StmCommandInterpreter(state);
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', () => undefined);
  }

  get state(): StmState {
    return this.interpreter.state;
  }

  /** Sends `pressed: N` now, as the firmware does when a button is pressed. */
  press(button: number): void {
    this.send([`pressed: ${button}`]);
  }

  /** The next reply is preceded by a line of noise. */
  injectGarbage(): void {
    this.prefixNextReply.push('\x7f#~?garbage\x1b[0m%$');
  }

  /** The next reply is preceded by the previous reply again (a late, duplicated answer). */
  injectStale(): void {
    this.prefixNextReply.push(...(this.lastReply.length ? this.lastReply : ['OK']));
  }

  setCurrent(milliamps: number): void {
    this.state.loadCurrentMa = milliamps;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private onData(chunk: Buffer): void {
    if (this.faults.noReply || this.stopped) return;
    for (const byte of chunk) {
      // A ticking firmware busy-waits; with the fault on, its UART loses what arrives meanwhile.
      if (this.ticking && this.faults.dropDuringTick) continue;
      this.inbox.push(byte);
    }
    this.pump();
  }

  private pump(): void {
    while (!this.busy && this.inbox.length > 0 && !this.stopped) {
      this.receive(this.inbox.shift() as number);
    }
  }

  private receive(byte: number): void {
    const terminator = byte === 0x0a || byte === 0x0d;
    if (this.state.echo) this.write(terminator ? Buffer.from('\n\r') : Buffer.from([byte]));
    if (!terminator) {
      if (this.line.length < SIM_LINE_BUFFER_BYTES) this.line += String.fromCharCode(byte);
      return;
    }
    const line = this.line;
    this.line = '';
    const tokens = line
      .split(/[ \t]+/)
      .filter((t) => t.length > 0)
      .slice(0, SIM_MAX_TOKENS);
    if (tokens.length === 0) return; // empty lines get no reply
    this.emit('command', line);
    const echoBefore = this.state.echo;
    const powerBefore = this.state.power;
    const outcome = this.interpreter.execute(tokens);
    if (this.faults.echoStuck && echoBefore && !this.state.echo) this.state.echo = true;
    if (this.faults.noEchoAck && tokens[0] === 'echo')
      outcome.lines = outcome.lines.filter((l) => !l.startsWith('Echo is'));
    if (this.state.power !== powerBefore) this.emit('power', this.state.power);
    this.perform(outcome);
  }

  private perform(outcome: CommandOutcome): void {
    if (outcome.tickMs === undefined) {
      this.reply(outcome.lines);
      return;
    }
    this.busy = true;
    this.ticking = true;
    this.setPower('off');
    this.later(outcome.tickMs, () => {
      this.ticking = false;
      this.setPower('on');
      this.reply(outcome.lines);
    });
  }

  private setPower(state: 'on' | 'off'): void {
    if (this.state.power === state) return;
    this.state.power = state;
    this.emit('power', state);
  }

  private reply(lines: string[]): void {
    const out = [...this.prefixNextReply, ...lines];
    this.prefixNextReply = [];
    this.lastReply = lines;
    if (this.faults.slowMs <= 0) {
      this.send(out);
      this.busy = false;
      this.pump();
      return;
    }
    this.busy = true;
    this.later(this.faults.slowMs, () => {
      this.send(out);
      this.busy = false;
      this.pump();
    });
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(timer);
  }

  private send(lines: string[]): void {
    if (lines.length) this.write(Buffer.from(lines.map((l) => l + '\r\n').join(''), 'latin1'));
  }

  private write(data: Buffer): void {
    if (!this.stopped && !this.stream.destroyed && this.stream.writable) this.stream.write(data);
  }
}
