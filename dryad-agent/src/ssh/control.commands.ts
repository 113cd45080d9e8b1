import { parsePublicKeyLines } from '../access/public-key';
import type { ControlService } from '../control/control.service';
import { Logger } from '../log/logger';
import { ControlCommand } from '../protocol';
import { ExecSession, ExitCode } from './exec.session';

const USAGE = [
  'control commands:',
  '  prepare              start a fresh job; stdin: the job public key (OpenSSH line); stdout: {"username":…}',
  '  authorize [JOB]      admit one more public key (stdin) for the current job (JOB: the',
  '                       fingerprint of a key of the job it is for; refused once that job ended)',
  '  maintenance MESSAGE  revoke tester access, show MESSAGE on the OLED, blink the LEDs',
  '  healthcheck          exit 0 when healthy, else exit 1 with one problem per stderr line',
  '  status               stdout: agent status JSON',
].join('\n');

/** Parses the server's exec requests (user `dryad`) and maps results to output and exit codes. */
export class ControlCommands {
  constructor(
    private readonly service: ControlService,
    private readonly log: Logger,
  ) {}

  async run(session: ExecSession): Promise<void> {
    const [name, ...args] = session.words;
    try {
      switch (name) {
        case ControlCommand.Prepare: {
          const keys = parsePublicKeyLines(await session.readStdin());
          const result = await this.service.prepare(keys);
          session.out(JSON.stringify(result) + '\n');
          return session.finish(ExitCode.Ok);
        }
        case ControlCommand.Authorize: {
          const keys = parsePublicKeyLines(await session.readStdin());
          for (const key of keys) await this.service.authorize(key, args[0]);
          return session.finish(ExitCode.Ok);
        }
        case ControlCommand.Maintenance:
          await this.service.enterMaintenance(args.join(' ').trim());
          return session.finish(ExitCode.Ok);
        case ControlCommand.Healthcheck: {
          const problems = await this.service.healthcheck();
          if (problems.length) this.log.warn(`healthcheck failed: ${problems.join('; ')}`);
          return session.finish(
            problems.length ? ExitCode.Failed : ExitCode.Ok,
            problems.join('\n') || undefined,
          );
        }
        case ControlCommand.Status:
          session.out(JSON.stringify(await this.service.status()) + '\n');
          return session.finish(ExitCode.Ok);
        default:
          return session.finish(
            ExitCode.Unknown,
            `unknown control command "${name ?? ''}"\n${USAGE}`,
          );
      }
    } catch (error) {
      const message = (error as Error).message;
      const usage = (error as Error).name === 'PublicKeyError';
      this.log.warn(`${name} failed: ${message}`);
      session.finish(usage ? ExitCode.Usage : ExitCode.Failed, `${name}: ${message}`);
    }
  }
}
