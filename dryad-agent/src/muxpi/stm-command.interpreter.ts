/**
 * The MuxPi firmware's command table, as a pure function of the simulated board state: given
 * the tokens of one line it changes the state and returns the reply lines, status line
 * included. It follows the published firmware, quirks included (docs/muxpi-protocol.md):
 * arguments are parsed like its `xatoi` (leading digits, anything else fails), keywords match
 * by prefix and case-insensitively, and a few answers are odd on purpose (the bare `mux`
 * query has no line end). Timing (the wait of `power tick`) is left to the simulator.
 */
export type TextColour = 'on' | 'off' | 'inv' | 'clean';

export interface DisplayEntry {
  kind: 'clr' | 'text';
  x?: number;
  y?: number;
  colour?: TextColour;
  text?: string;
}

export type UsbRoute = 'usb' | 'uart';

export interface StmState {
  power: 'on' | 'off';
  mux: 'dut' | 'ts';
  leds: { 1: [number, number, number]; 2: [number, number, number] };
  hdmi: 'on' | 'off';
  dypers: { 1: 'on' | 'off'; 2: 'on' | 'off' };
  /** The lthor signals: where the DUT's USB wires go, the DUT's USB mode (ID pin), VBUS. */
  lthor: { switch: UsbRoute; id: UsbRoute; vbus: 'on' | 'off' };
  /** Everything drawn since boot, oldest first (bounded). */
  display: DisplayEntry[];
  uartMillivolts: number;
  /** What the DUT draws while powered, settable by tests (`set current`). */
  loadCurrentMa: number;
  /** The firmware's zero calibration (`current auto` / `current N`), subtracted from readings. */
  idleCurrentMa: number;
  /** The potentiometer's voltage (ADC channel 3). */
  potMillivolts: number;
  echo: boolean;
  /** Set when a command overran a firmware buffer: the STM's memory is no longer trusted. */
  corrupted: string | null;
}

export function bootState(): StmState {
  return {
    power: 'off',
    mux: 'ts',
    leds: { 1: [0, 0, 0], 2: [0, 0, 0] },
    hdmi: 'off',
    dypers: { 1: 'off', 2: 'off' },
    lthor: { switch: 'usb', id: 'usb', vbus: 'off' },
    display: [],
    uartMillivolts: 3300,
    loadCurrentMa: 250,
    idleCurrentMa: 0,
    potMillivolts: 1650,
    echo: true,
    corrupted: null,
  };
}

export interface CommandOutcome {
  /** Lines to send, status line last. */
  lines: string[];
  /** For `power tick`: power goes off now, on again after this many ms, then `lines` are sent. */
  tickMs?: number;
  /** The command overran a buffer: what a real STM would do next is anyone's guess. */
  corrupts?: string;
}

export const OK = 'OK';
export const ERROR = 'Error processing command';
export const UNKNOWN = 'Unknown command';
/** The firmware's `text` buffer is 17 bytes: 16 characters and the terminator. */
export const TEXT_BUFFER_CHARS = 16;
/** `power tick` with no, zero or unparsable length waits this long. */
export const DEFAULT_TICK_MS = 1000;
const MAX_DISPLAY_LOG = 256;
/** The OLED's size in pixels, the bounds `text` checks X and Y against (not the visible rows). */
const OLED_WIDTH = 128;
const OLED_HEIGHT = 32;
/** Current-sense chain: the sensor gives 186 mV per A, amplified 3.3 times, on ADC channel 1. */
const SENSE_MV_PER_MA = (186 * 3.3) / 1000;
const ADC_FULL_SCALE = 4095;
const ADC_SUPPLY_MV = 3300;
/** Typical readings of the STM32's internal temperature sensor (25 °C) and reference. */
const TEMPERATURE_SENSOR_MV = 1430;
const VREFINT_MV = 1230;

const ok = (...lines: string[]): CommandOutcome => ({ lines: [...lines, OK] });
const error = (): CommandOutcome => ({ lines: [ERROR] });

/** The firmware's strncasecmp(keyword, arg, n): `arg` starts with `keyword`, any case. */
function starts(arg: string | undefined, keyword: string): boolean {
  return (arg ?? '').toLowerCase().startsWith(keyword);
}

function onOff(arg: string | undefined): 'on' | 'off' | null {
  if (starts(arg, 'on')) return 'on';
  if (starts(arg, 'off')) return 'off';
  return null;
}

/** The firmware's xatoi: a leading integer, or null when the word does not start with one. */
function xatoi(arg: string | undefined): number | null {
  const m = /^[-+]?\d+/.exec(arg ?? '');
  return m ? Number(m[0]) : null;
}

function colourOf(arg: string): TextColour {
  const a = arg.toLowerCase();
  return a === 'off' || a === 'inv' || a === 'clean' ? a : 'on';
}

const HELP = [
  'help',
  'version',
  'echo [on|off]',
  'power [on|off|tick [ms]]',
  'hdmi [on|off]',
  'dyper 1|2 on|off',
  'mux [dut|ts]',
  'dut',
  'ts',
  'led [1|2 [R G B]]',
  'clr',
  'text x y color content',
  'draw object x1 y1 [x2 y2] color',
  'adc [channel]',
  'voltage [channel]',
  'current [auto|mA]',
  'lthor switch [usb|uart]',
  'lthor id [usb|uart]',
  'lthor vbus [on|off]',
  'lthor combo [usb|uart]',
  'key [1|2]',
  'uart [mV]',
].map((usage) => `${usage.split(' ')[0].padStart(10)} --- ${usage}`);

export class StmCommandInterpreter {
  constructor(readonly state: StmState = bootState()) {}

  execute(tokens: string[]): CommandOutcome {
    const [name, ...args] = tokens;
    const s = this.state;
    switch (name) {
      case 'help':
        return ok(...HELP);
      case 'version':
        return ok('MuxPi firmware v1.0');
      case 'echo': {
        // A bare `echo` toggles; the simulator decides whether echo really goes off.
        const state = args.length === 0 ? (s.echo ? 'off' : 'on') : onOff(args[0]);
        if (!state) return error();
        s.echo = state === 'on';
        return ok(`Echo is ${state} now.`);
      }
      case 'power':
        return this.power(args);
      case 'hdmi': {
        const state = args.length === 0 ? 'off' : onOff(args[0]);
        if (!state) return error();
        s.hdmi = state;
        return ok();
      }
      case 'dyper':
        return this.dyper(args);
      case 'mux':
        return this.mux(args);
      case 'dut':
        s.mux = 'dut';
        s.power = 'on';
        return ok();
      case 'ts':
        s.mux = 'ts';
        s.power = 'off';
        return ok();
      case 'led':
        return this.led(args);
      case 'clr':
        this.draw({ kind: 'clr' });
        return ok();
      case 'text':
        return this.text(args);
      case 'draw':
        return this.drawObject(args);
      case 'adc':
        return this.readings(args, 5, (c) => this.adcValue(c), ['vrefint: 1530']);
      case 'voltage':
        return this.readings(args, 4, (c) => this.millivolts(c), []);
      case 'current':
        return this.current(args);
      case 'lthor':
        return this.lthor(args);
      case 'key':
        if (args.length === 0) return ok('key1: released', 'key2: released');
        return xatoi(args[0]) === null ? error() : ok('released');
      case 'uart': {
        if (args.length === 0) return ok(String(s.uartMillivolts));
        const mv = xatoi(args[0]);
        if (mv === null || mv < 0 || mv > 5000) return error();
        s.uartMillivolts = mv;
        return ok();
      }
      default:
        return { lines: [UNKNOWN] };
    }
  }

  private power(args: string[]): CommandOutcome {
    if (args.length === 0) return ok(this.state.power);
    if (starts(args[0], 'tick')) {
      // Missing, zero or unparsable (`power tick abc`) all mean the default.
      const ms = xatoi(args[1]) ?? 0;
      return { lines: [OK], tickMs: ms > 0 ? ms : DEFAULT_TICK_MS };
    }
    const state = onOff(args[0]);
    if (!state) return error();
    this.state.power = state;
    return ok();
  }

  private dyper(args: string[]): CommandOutcome {
    if (args.length < 2) return error();
    const state = onOff(args[1]);
    if (!state) return error();
    const which = xatoi(args[0]);
    // An unparsable number is silently ignored, a wrong one refused, as the firmware does.
    if (which === null) return ok();
    if (which !== 1 && which !== 2) return error();
    this.state.dypers[which] = state;
    return ok();
  }

  private mux(args: string[]): CommandOutcome {
    if (args.length === 0) {
      // The firmware prints the side without a line end: the wire carries `tsOK\r\n`.
      return { lines: [this.state.mux + OK] };
    }
    if (starts(args[0], 'ts')) this.state.mux = 'ts';
    else if (starts(args[0], 'dut')) this.state.mux = 'dut';
    else return error();
    return ok();
  }

  private led(args: string[]): CommandOutcome {
    const colour = (n: 1 | 2) => `led${n}: ${this.state.leds[n].join(',')}`;
    if (args.length === 0) return ok(colour(1), colour(2));
    const which = xatoi(args[0]);
    if (which !== 1 && which !== 2) return error();
    if (args.length === 1) return ok(colour(which));
    if (args.length !== 4) return error();
    // Values are not checked, only cut to 8 bits.
    this.state.leds[which] = args.slice(1).map((a) => (xatoi(a) ?? 0) & 0xff) as [
      number,
      number,
      number,
    ];
    return ok();
  }

  private text(args: string[]): CommandOutcome {
    if (args.length < 4) return error();
    const x = xatoi(args[0]) ?? 0;
    const y = xatoi(args[1]) ?? 0;
    if (x < 0 || x > OLED_WIDTH || y < 0 || y > OLED_HEIGHT) return error();
    const text = args.slice(3).join(' ');
    if (text.length > TEXT_BUFFER_CHARS) {
      return {
        lines: [],
        corrupts: `"text" with ${text.length} characters overran the firmware's 17-byte buffer`,
      };
    }
    this.draw({ kind: 'text', x, y, colour: colourOf(args[2]), text });
    return ok();
  }

  private drawObject(args: string[]): CommandOutcome {
    const needs: Record<string, number> = { point: 4, line: 6, circle: 5, rectangle: 6 };
    const object = Object.keys(needs).find((o) => starts(args[0], o));
    return object && args.length >= needs[object] ? ok() : error();
  }

  private readings(
    args: string[],
    bare: number,
    read: (channel: number) => number,
    trailer: string[],
  ): CommandOutcome {
    if (args.length === 0) {
      const all = Array.from({ length: bare }, (_, i) => `adc${i + 1}: ${read(i + 1)}`);
      return ok(...all, ...trailer);
    }
    const channel = xatoi(args[0]) ?? 0;
    if (channel < 0 || channel > 5) return error();
    return ok(`adc${channel}: ${read(channel)}`);
  }

  /** What the sensor measures now, before calibration. */
  private rawCurrentMa(): number {
    return this.state.power === 'on' ? this.state.loadCurrentMa : 0;
  }

  /**
   * ADC channel voltages: 1 the current-sense amplifier, 2 an unused input, 3 the
   * potentiometer, 4 the internal temperature sensor, 5 the internal reference. Channel 0
   * reads outside the firmware's sample buffer; the simulator gives 0 for it.
   */
  private millivolts(channel: number): number {
    switch (channel) {
      case 1:
        return Math.round(this.rawCurrentMa() * SENSE_MV_PER_MA);
      case 3:
        return this.state.potMillivolts;
      case 4:
        return TEMPERATURE_SENSOR_MV;
      case 5:
        return VREFINT_MV;
      default:
        return 0;
    }
  }

  private adcValue(channel: number): number {
    return Math.round((this.millivolts(channel) * ADC_FULL_SCALE) / ADC_SUPPLY_MV);
  }

  private current(args: string[]): CommandOutcome {
    const s = this.state;
    if (args.length === 0) {
      const reading = s.power === 'on' ? Math.max(0, this.rawCurrentMa() - s.idleCurrentMa) : 0;
      return ok(String(reading));
    }
    if (starts(args[0], 'auto')) {
      s.idleCurrentMa = this.rawCurrentMa();
      return ok();
    }
    const ma = xatoi(args[0]);
    if (ma === null) return error();
    s.idleCurrentMa = ma;
    // The firmware echoes the value it took.
    return ok(String(ma));
  }

  private lthor(args: string[]): CommandOutcome {
    const l = this.state.lthor;
    // Anything but `usb` selects UART, as in the firmware.
    const route = (arg: string): UsbRoute => (starts(arg, 'usb') ? 'usb' : 'uart');
    const [signal, value] = args;
    if (starts(signal, 'switch')) {
      if (value === undefined) return ok(l.switch.toUpperCase());
      l.switch = route(value);
      return ok();
    }
    if (starts(signal, 'id')) {
      if (value === undefined) return ok(l.id.toUpperCase());
      l.id = route(value);
      return ok();
    }
    if (starts(signal, 'vbus')) {
      if (value === undefined) return ok(l.vbus.toUpperCase());
      // Only `off` switches VBUS off; anything else switches it on.
      l.vbus = starts(value, 'off') ? 'off' : 'on';
      return ok();
    }
    // `combo` is accepted and does nothing in the published firmware.
    if (starts(signal, 'comb') && value !== undefined) return ok();
    return error();
  }

  private draw(entry: DisplayEntry): void {
    this.state.display.push(entry);
    if (this.state.display.length > MAX_DISPLAY_LOG) this.state.display.shift();
  }
}
