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
/** While a `power tick` sleeps, the UART queues this many received bytes; the rest is lost. */
export const SIM_TICK_QUEUE_BYTES = 32;

export interface StmFaults {
  /** The STM reads and ignores everything: no echo, no action, no reply (a hung firmware). */
  noReply: boolean;
  /** Every reply is held back this long (the action itself happens at once). */
  slowMs: number;
  /**
   * A firmware build whose `echo off` works. The published firmware cannot turn echo off (its
   * echo getter always answers true), which is the simulator's default.
   */
  echoOffWorks: boolean;
  /** `echo on|off` is answered with a bare `OK`, without the `Echo is … now.` line. */
  noEchoAck: boolean;
  /** Bytes that arrive while a `power tick` waits are lost instead of buffered. */
  dropDuringTick: boolean;
}

/**
 * The MuxPi STM on the far end of a byte stream (a pty pair made by socat, or an in-memory
 * pipe in the fleet), as the published firmware behaves (docs/muxpi-protocol.md): LF or CR
 * ends a line, empty lines get no reply, 64-byte line buffer, at most 10 tokens, `\r\n` line
 * endings, raw echo with the terminator echoed as `\n\r` that `echo off` cannot turn off,
 * boot state ts/off/LEDs off. A `text` that overruns the firmware's buffer leaves the STM
 * silent until `reset()`. Faults can be switched on to test the agent's robustness.
 *
 * Emits `power` ('on' | 'off') whenever the DUT's power changes, for the simulated DUT,
 * `command` (the received line) before executing each command, for tests, and `corrupted`
 * (the reason) when a command overran a buffer.
 */
export class StmSimulator extends EventEmitter {
  readonly faults: StmFaults = {
    noReply: false,
    slowMs: 0,
    echoOffWorks: false,
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
  /** Button presses to report in the middle of the next echoed line (after its 3rd byte). */
  private pressMidEcho: string[] = [];
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

  /**
   * Sends `pressed: N` now, as the firmware does when a button is pressed; `bounce` sends it
   * twice, as one press can (the firmware does not debounce).
   */
  press(button: number, bounce = false): void {
    this.send(pressedLines(button, bounce));
  }

  /** The next press lands in the middle of the next echoed command (`powpressed: 1`). */
  pressDuringEcho(button: number, bounce = false): void {
    this.pressMidEcho.push(...pressedLines(button, bounce));
  }

  /** Restarts the STM: boot state (the DUT's load is kept), buffers emptied, answering again. */
  reset(): void {
    const load = this.state.loadCurrentMa;
    Object.assign(this.state, bootState(), { loadCurrentMa: load });
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.busy = false;
    this.ticking = false;
    this.line = '';
    this.inbox.length = 0;
    this.prefixNextReply = [];
    this.pressMidEcho = [];
    this.emit('power', this.state.power);
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
    if (this.faults.noReply || this.stopped || this.state.corrupted) return;
    for (const byte of chunk) {
      // A ticking firmware sleeps in its command task: its UART queue holds 32 bytes, and with
      // the fault on it loses everything that arrives meanwhile.
      if (this.ticking && (this.faults.dropDuringTick || this.inbox.length >= SIM_TICK_QUEUE_BYTES))
        continue;
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
    if (this.state.corrupted) return;
    const terminator = byte === 0x0a || byte === 0x0d;
    if (this.state.echo) this.write(terminator ? Buffer.from('\n\r') : Buffer.from([byte]));
    if (!terminator) {
      if (this.line.length < SIM_LINE_BUFFER_BYTES) this.line += String.fromCharCode(byte);
      if (this.line.length === 3 && this.pressMidEcho.length > 0) {
        this.send(this.pressMidEcho);
        this.pressMidEcho = [];
      }
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
    const powerBefore = this.state.power;
    const outcome = this.interpreter.execute(tokens);
    // The published firmware's echo getter always answers true: echo never goes off.
    if (!this.faults.echoOffWorks) this.state.echo = true;
    if (this.faults.noEchoAck && tokens[0] === 'echo')
      outcome.lines = outcome.lines.filter((l) => !l.startsWith('Echo is'));
    if (this.state.power !== powerBefore) this.emit('power', this.state.power);
    this.perform(outcome);
  }

  private perform(outcome: CommandOutcome): void {
    if (outcome.corrupts) {
      this.state.corrupted = outcome.corrupts;
      this.emit('corrupted', outcome.corrupts);
      return;
    }
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

function pressedLines(button: number, bounce: boolean): string[] {
  const line = `pressed: ${button}`;
  return bounce ? [line, line] : [line];
}
