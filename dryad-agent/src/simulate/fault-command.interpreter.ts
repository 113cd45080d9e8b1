import type { StmSimulator } from '../muxpi/stm.simulator';

/** What the fault commands act on, besides the STM simulator itself. */
export interface SimulationControls {
  stm: StmSimulator;
  consoleGone(): Promise<void>;
  consoleBack(): Promise<void>;
  state(): unknown;
}

export const FAULT_HELP = [
  'fault no-reply on|off        STM ignores everything (no echo, no action, no reply)',
  'fault slow MS                STM holds every reply back MS ms (0 = off)',
  'fault garbage                the next STM reply is preceded by a line of noise',
  'fault stale                  the next STM reply is preceded by the previous reply again',
  'fault pressed 1|2 [bounce]   STM sends "pressed: N" now (twice with bounce, as one press can)',
  'fault pressed-mid-echo 1|2 [bounce]  the line lands inside the next echoed command ("powpressed: 1")',
  'fault echo-off-works on|off  a firmware build whose "echo off" works (the published one cannot)',
  'fault no-echo-ack on|off     "echo on|off" is answered with a bare OK, no "Echo is ... now."',
  'fault drop-during-tick on|off  bytes arriving during "power tick" are lost',
  'console-gone                 kill the console pty: the device disappears',
  'console-back                 make the console pty again at the same path',
  'reset                        restart the STM (boot state; ends a memory corruption)',
  'set current MA               what the DUT draws while powered',
  'state                        ok {JSON of the simulated board}',
].join('\n');

/**
 * The `simulate` command's stdin language: one command a line, answered with one line,
 * `ok` (or `ok {json}` for state) or `error: …`, so an e2e test can inject faults in step.
 */
export class FaultCommandInterpreter {
  constructor(private readonly c: SimulationControls) {}

  async execute(line: string): Promise<string | null> {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return null;
    try {
      return await this.dispatch(words);
    } catch (error) {
      return `error: ${(error as Error).message}`;
    }
  }

  private async dispatch([name, ...args]: string[]): Promise<string> {
    const f = this.c.stm.faults;
    switch (name) {
      case 'fault':
        return this.fault(args);
      case 'reset':
        this.c.stm.reset();
        return 'ok';
      case 'console-gone':
        await this.c.consoleGone();
        return 'ok';
      case 'console-back':
        await this.c.consoleBack();
        return 'ok';
      case 'set':
        if (args[0] !== 'current') throw new Error('usage: set current MA');
        this.c.stm.setCurrent(count(args[1], 'MA'));
        return 'ok';
      case 'state':
        return `ok ${JSON.stringify({ ...(this.c.state() as object), faults: f })}`;
      case 'help':
        return `ok ${FAULT_HELP.split('\n').join(' | ')}`;
      default:
        throw new Error(`unknown command "${name}"; try "help"`);
    }
  }

  private fault([kind, value, extra]: string[]): string {
    const f = this.c.stm.faults;
    switch (kind) {
      case 'no-reply':
        f.noReply = onOff(value);
        return 'ok';
      case 'slow':
        f.slowMs = count(value, 'MS');
        return 'ok';
      case 'garbage':
        this.c.stm.injectGarbage();
        return 'ok';
      case 'stale':
        this.c.stm.injectStale();
        return 'ok';
      case 'pressed':
      case 'pressed-mid-echo': {
        if ((value !== '1' && value !== '2') || (extra !== undefined && extra !== 'bounce'))
          throw new Error(`usage: fault ${kind} 1|2 [bounce]`);
        const bounce = extra === 'bounce';
        if (kind === 'pressed') this.c.stm.press(Number(value), bounce);
        else this.c.stm.pressDuringEcho(Number(value), bounce);
        return 'ok';
      }
      case 'echo-off-works':
        f.echoOffWorks = onOff(value);
        // Switched back to the published firmware: its echo is on, whatever was set before.
        if (!f.echoOffWorks) this.c.stm.state.echo = true;
        return 'ok';
      case 'no-echo-ack':
        f.noEchoAck = onOff(value);
        return 'ok';
      case 'drop-during-tick':
        f.dropDuringTick = onOff(value);
        return 'ok';
      default:
        throw new Error(
          `unknown fault "${kind ?? ''}"; faults: no-reply, slow, garbage, stale, pressed, pressed-mid-echo, echo-off-works, no-echo-ack, drop-during-tick`,
        );
    }
  }
}

function onOff(value: string | undefined): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`expected on or off, got "${value ?? ''}"`);
}

function count(value: string | undefined, what: string): number {
  if (value === undefined || !/^\d+$/.test(value))
    throw new Error(`${what} must be a whole number, got "${value ?? ''}"`);
  return Number(value);
}
