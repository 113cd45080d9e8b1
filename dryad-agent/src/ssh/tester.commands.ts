import { BoardRefusal, BoardService } from '../board/board.service';
import type { ConsolePort } from '../board/console.port';
import { sampleCurrent } from '../board/current.sampler';
import { formatBytes } from '../board/flash.writer';
import { Logger } from '../log/logger';
import type { OnOff } from '../muxpi/stm.driver';
import { TesterCommand } from '../protocol';
import { runConsole } from './console.session';
import { parseSamplingOptions } from './current-sampling.options';
import { ExecSession, ExitCode } from './exec.session';

/** The longest power cycle a tester may ask for; the agent times those above a few seconds. */
const MAX_POWER_TICK_MS = 600_000;

export const TESTER_USAGE = [
  'commands:',
  '  console [--linger D]       the DUT serial console, both ways (use ssh -t for a terminal; ~. to leave);',
  '                             after end of input it exits once the console was quiet for D (500ms)',
  '  power                      print the DUT power state (on/off)',
  '  power on|off               switch DUT power',
  '  power tick [MS]            power off, wait MS (default 1000, at most 600000), power on',
  '  dut                        SD card to the DUT, power on',
  '  ts                         SD card to the test server (this board), power off',
  '  mux                        print where the SD card is (dut/ts/invalid)',
  '  mux dut|ts                 move the SD card only, power unchanged',
  "  usb                        print where the DUT's USB goes (ts/uart)",
  "  usb ts|uart                the DUT's USB to this board (lthor, fastboot) or to its UART",
  "  usb vbus on|off            switch the DUT's USB VBUS",
  '  hdmi on|off                set the HDMI hot-plug line',
  '  dyper 1|2 on|off           switch dyper 1 or 2',
  '  current                    DUT current in mA',
  '  current --rate HZ --duration D  sample the current: "MS MA" lines (HZ 1..333, D like 5s)',
  '  flash                      write the image on stdin to the SD card (run "ts" first)',
  'files: sftp into the job workspace (sftp -P PORT user@host)',
].join('\n');

/** The job user's exec requests: console, power, SD card mux, USB, HDMI, dypers, current, flash. */
export class TesterCommands {
  constructor(
    private readonly board: BoardService,
    private readonly consolePort: ConsolePort,
    private readonly log: Logger,
  ) {}

  async run(session: ExecSession): Promise<void> {
    const [name, ...args] = session.words;
    try {
      switch (name) {
        case TesterCommand.Console:
          return runConsole(session, this.consolePort, args);
        case TesterCommand.Power:
          return await this.power(session, args);
        case TesterCommand.Dut:
          await this.board.dut();
          return session.finish(ExitCode.Ok);
        case TesterCommand.Ts:
          await this.board.ts();
          return session.finish(ExitCode.Ok);
        case TesterCommand.Mux:
          return await this.mux(session, args);
        case TesterCommand.Usb:
          return await this.usb(session, args);
        case TesterCommand.Hdmi: {
          const state = onOff(args[0]);
          if (!state || args.length !== 1)
            return session.finish(ExitCode.Usage, 'usage: hdmi on|off');
          await this.board.hdmi(state);
          return session.finish(ExitCode.Ok);
        }
        case TesterCommand.Dyper: {
          const which = args[0] === '1' ? 1 : args[0] === '2' ? 2 : null;
          const state = onOff(args[1]);
          if (!which || !state || args.length !== 2)
            return session.finish(ExitCode.Usage, 'usage: dyper 1|2 on|off');
          await this.board.dyper(which, state);
          return session.finish(ExitCode.Ok);
        }
        case TesterCommand.Current:
          return await this.current(session, args);
        case TesterCommand.Flash:
          return await this.flash(session);
        case 'help':
          session.out(TESTER_USAGE + '\n');
          return session.finish(ExitCode.Ok);
        default:
          return session.finish(
            ExitCode.Unknown,
            `unknown command "${name ?? ''}"\n${TESTER_USAGE}`,
          );
      }
    } catch (error) {
      const message = (error as Error).message;
      if (!(error instanceof BoardRefusal))
        this.log.warn(`${session.words.join(' ')} failed: ${message}`);
      session.finish(ExitCode.Failed, `${name}: ${message}`);
    }
  }

  private async power(session: ExecSession, args: string[]): Promise<void> {
    const [action, msArg, ...extra] = args;
    if (action === undefined) {
      session.out(`${await this.board.power()}\n`);
      return session.finish(ExitCode.Ok);
    }
    if ((action === 'on' || action === 'off') && msArg === undefined) {
      await (action === 'on' ? this.board.powerOn() : this.board.powerOff());
      return session.finish(ExitCode.Ok);
    }
    if (action === 'tick' && extra.length === 0) {
      const ms = msArg === undefined ? 1000 : Number(msArg);
      if (!Number.isInteger(ms) || ms < 1 || ms > MAX_POWER_TICK_MS) {
        return session.finish(
          ExitCode.Usage,
          `power tick: MS must be a whole number of milliseconds, 1..${MAX_POWER_TICK_MS}`,
        );
      }
      await this.board.powerCycle(ms, session.closed);
      return session.finish(ExitCode.Ok);
    }
    session.finish(ExitCode.Usage, 'usage: power [on|off|tick [MS]]');
  }

  private async mux(session: ExecSession, args: string[]): Promise<void> {
    if (args.length === 0) {
      session.out(`${await this.board.muxSide()}\n`);
      return session.finish(ExitCode.Ok);
    }
    if (args.length !== 1 || (args[0] !== 'dut' && args[0] !== 'ts'))
      return session.finish(ExitCode.Usage, 'usage: mux [dut|ts]');
    await this.board.mux(args[0]);
    session.finish(ExitCode.Ok);
  }

  /** `ts` is the firmware's `usb` route: the DUT's USB wires to this board's USB port. */
  private async usb(session: ExecSession, args: string[]): Promise<void> {
    if (args.length === 0) {
      const route = await this.board.usbRouteState();
      session.out(`${route === 'usb' ? 'ts' : 'uart'}\n`);
      return session.finish(ExitCode.Ok);
    }
    if (args.length === 1 && (args[0] === 'ts' || args[0] === 'uart')) {
      await this.board.usbRoute(args[0] === 'ts' ? 'usb' : 'uart');
      return session.finish(ExitCode.Ok);
    }
    const state = onOff(args[1]);
    if (args[0] === 'vbus' && state && args.length === 2) {
      await this.board.usbVbus(state);
      return session.finish(ExitCode.Ok);
    }
    session.finish(ExitCode.Usage, 'usage: usb [ts|uart|vbus on|off]');
  }

  private async current(session: ExecSession, args: string[]): Promise<void> {
    if (args.length === 0) {
      session.out(`${await this.board.current()}\n`);
      return session.finish(ExitCode.Ok);
    }
    const options = parseSamplingOptions(args);
    if (typeof options === 'string') return session.finish(ExitCode.Usage, `current: ${options}`);
    const result = await sampleCurrent(
      () => this.board.current(),
      { ...options, signal: session.closed },
      ({ atMs, milliamps }) => session.out(`${atMs} ${milliamps}\n`),
    );
    session.err(
      `current: ${result.samples} samples in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
        `at ${options.rateHz} Hz (${result.missed} missed)\n`,
    );
    session.finish(ExitCode.Ok);
  }

  private async flash(session: ExecSession): Promise<void> {
    // BoardService asks the STM where the card is, and refuses before reading stdin unless ts.
    const bytes = await this.board.flash(session.channel, ({ bytes, elapsedMs }) => {
      const rate =
        elapsedMs > 0 ? ` (${formatBytes(Math.round((bytes * 1000) / elapsedMs))}/s)` : '';
      session.err(`flash: ${formatBytes(bytes)} written${rate}\n`);
    });
    session.out(`flash: wrote ${bytes} bytes to ${this.board.sdcardDevice}\n`);
    session.finish(ExitCode.Ok);
  }
}

function onOff(word: string | undefined): OnOff | null {
  return word === 'on' || word === 'off' ? word : null;
}
