/**
 * The MuxPi firmware's command table, as a pure function of the simulated board state: given
 * the tokens of one line it changes the state and returns the reply lines, status line
 * included. Timing (the wait of `power tick`) is left to the simulator that drives the line.
 */
export interface DisplayEntry {
  kind: 'clr' | 'text';
  x?: number;
  y?: number;
  on?: boolean;
  text?: string;
}

export interface StmState {
  power: 'on' | 'off';
  mux: 'dut' | 'ts';
  leds: { 1: [number, number, number]; 2: [number, number, number] };
  hdmi: 'on' | 'off';
  dypers: { 1: 'on' | 'off'; 2: 'on' | 'off' };
  /** Everything drawn since boot, oldest first (bounded). */
  display: DisplayEntry[];
  uartMillivolts: number;
  /** What the DUT draws while powered, settable by tests (`set current`). */
  loadCurrentMa: number;
  /** Offset the current sensor adds while the DUT is powered (calibration error). */
  idleCurrentOffsetMa: number;
  echo: boolean;
}

export function bootState(): StmState {
  return {
    power: 'off',
    mux: 'ts',
    leds: { 1: [0, 0, 0], 2: [0, 0, 0] },
    hdmi: 'off',
    dypers: { 1: 'off', 2: 'off' },
    display: [],
    uartMillivolts: 3300,
    loadCurrentMa: 250,
    idleCurrentOffsetMa: 3,
    echo: true,
  };
}

export interface CommandOutcome {
  /** Lines to send, status line last. */
  lines: string[];
  /** For `power tick`: power goes off now, on again after this many ms, then `lines` are sent. */
  tickMs?: number;
}

export const OK = 'OK';
export const ERROR = 'Error processing command';
export const UNKNOWN = 'Unknown command';
const MAX_DISPLAY_LOG = 256;

const ok = (...lines: string[]): CommandOutcome => ({ lines: [...lines, OK] });
const error = (): CommandOutcome => ({ lines: [ERROR] });

/** `on`/`off` match case-insensitively by prefix, as the firmware's strncasecmp does. */
function onOff(arg: string | undefined): 'on' | 'off' | null {
  const a = (arg ?? '').toLowerCase();
  if (a.startsWith('on')) return 'on';
  if (a.startsWith('off')) return 'off';
  return null;
}

function int(arg: string | undefined): number | null {
  return arg !== undefined && /^\d+$/.test(arg) ? Number(arg) : null;
}

export class StmCommandInterpreter {
  constructor(readonly state: StmState = bootState()) {}

  execute(tokens: string[]): CommandOutcome {
    const [name, ...args] = tokens;
    const s = this.state;
    switch (name) {
      case 'dut':
        s.mux = 'dut';
        s.power = 'on';
        return ok();
      case 'ts':
        s.mux = 'ts';
        s.power = 'off';
        return ok();
      case 'power':
        return this.power(args);
      case 'mux':
        if (args[0] !== 'dut' && args[0] !== 'ts') return error();
        s.mux = args[0];
        return ok();
      case 'current':
        return ok(String(s.power === 'on' ? s.loadCurrentMa + s.idleCurrentOffsetMa : 0));
      case 'led':
        return this.led(args);
      case 'clr':
        this.draw({ kind: 'clr' });
        return ok();
      case 'text':
        return this.text(args);
      case 'hdmi': {
        const state = args.length === 0 ? 'off' : onOff(args[0]);
        if (!state) return error();
        s.hdmi = state;
        return ok();
      }
      case 'dyper': {
        const which = args[0] === '1' ? 1 : args[0] === '2' ? 2 : null;
        const state = onOff(args[1]);
        if (!which || !state) return error();
        s.dypers[which] = state;
        return ok();
      }
      case 'uart': {
        const mv = int(args[0]);
        if (mv === null || mv > 5000) return error();
        s.uartMillivolts = mv;
        return ok();
      }
      case 'voltage':
        return this.voltage(args);
      case 'version':
        return ok('MuxPi firmware v1.0');
      case 'echo': {
        const state = onOff(args[0]);
        if (!state) return error();
        s.echo = state === 'on';
        return ok(state === 'on' ? 'Echo is on now.' : 'Echo is off now.');
      }
      default:
        return { lines: [UNKNOWN] };
    }
  }

  private power(args: string[]): CommandOutcome {
    if (args.length === 0) return ok(this.state.power);
    if (args[0] === 'tick') {
      if (args[1] === undefined) return { lines: [OK], tickMs: 1000 };
      const ms = int(args[1]);
      if (ms === null) return error();
      return { lines: [OK], tickMs: ms === 0 ? 1000 : ms };
    }
    const state = onOff(args[0]);
    if (!state) return error();
    this.state.power = state;
    return ok();
  }

  private led(args: string[]): CommandOutcome {
    if (args.length !== 4) return error();
    const which = args[0] === '1' ? 1 : args[0] === '2' ? 2 : null;
    const rgb = args.slice(1).map(int);
    if (!which || rgb.some((v) => v === null || v > 255)) return error();
    this.state.leds[which] = rgb as [number, number, number];
    return ok();
  }

  private text(args: string[]): CommandOutcome {
    if (args.length < 4) return error();
    const x = int(args[0]);
    const y = int(args[1]);
    const on = onOff(args[2]);
    if (x === null || y === null || x > 128 || y > 32 || !on) return error();
    this.draw({ kind: 'text', x, y, on: on === 'on', text: args.slice(3).join(' ') });
    return ok();
  }

  private voltage(args: string[]): CommandOutcome {
    const channels = args.length === 0 ? [1, 2, 3, 4] : [int(args[0])];
    if (channels.some((c) => c === null || c < 1 || c > 4)) return error();
    // Plausible readings: 5 V rail, 3.3 V rail, the UART supply, and the DUT supply when on.
    const reading = (c: number): number =>
      [5012, 3298, this.state.uartMillivolts, this.state.power === 'on' ? 4987 : 0][c - 1];
    return ok(...channels.map((c) => `adc${c}: ${reading(c as number)}`));
  }

  private draw(entry: DisplayEntry): void {
    this.state.display.push(entry);
    if (this.state.display.length > MAX_DISPLAY_LOG) this.state.display.shift();
  }
}
