import { BoardRefusal, BoardService } from '../board/board.service';
import type { ConsolePort } from '../board/console.port';
import { formatBytes } from '../board/flash.writer';
import { Logger } from '../log/logger';
import { TesterCommand } from '../protocol';
import { runConsole } from './console.session';
import { ExecSession, ExitCode } from './exec.session';

export const TESTER_USAGE = [
  'commands:',
  '  console [--linger D]       the DUT serial console, both ways (use ssh -t for a terminal; ~. to leave);',
  '                             after end of input it exits once the console was quiet for D (500ms)',
  '  power                      print the DUT power state (on/off)',
  '  power on|off               switch DUT power',
  '  power tick [MS]            power off, wait MS (default 1000), power on',
  '  dut                        SD card to the DUT, power on',
  '  ts                         SD card to the test server (this board), power off',
  '  current                    DUT current in mA',
  '  flash                      write the image on stdin to the SD card (run "ts" first)',
  'files: sftp into the job workspace (sftp -P PORT user@host)',
].join('\n');

/** The job user's exec requests: console, power, SD card mux, current, flash. */
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
        case TesterCommand.Current:
          session.out(`${await this.board.current()}\n`);
          return session.finish(ExitCode.Ok);
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
      if (!Number.isInteger(ms) || ms < 1 || ms > 600_000) {
        return session.finish(
          ExitCode.Usage,
          'power tick: MS must be a whole number of milliseconds, 1..600000',
        );
      }
      await this.board.powerTick(ms);
      return session.finish(ExitCode.Ok);
    }
    session.finish(ExitCode.Usage, 'usage: power [on|off|tick [MS]]');
  }

  private async flash(session: ExecSession): Promise<void> {
    // BoardService refuses before reading stdin when the card is not on the ts side.
    const bytes = await this.board.flash(session.channel, ({ bytes, elapsedMs }) => {
      const rate =
        elapsedMs > 0 ? ` (${formatBytes(Math.round((bytes * 1000) / elapsedMs))}/s)` : '';
      session.err(`flash: ${formatBytes(bytes)} written${rate}\n`);
    });
    session.out(`flash: wrote ${bytes} bytes to ${this.board.sdcardDevice}\n`);
    session.finish(ExitCode.Ok);
  }
}
