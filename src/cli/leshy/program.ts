import { Command, Option } from 'commander';
import { LESHY_VERSION } from '../../common/version';
import { registerAuditCommands } from './commands/audit';
import { registerBoardCommands } from './commands/board';
import { registerRequestCommands } from './commands/requests';
import { registerSessionCommands } from './commands/session';
import { registerTokenCommands } from './commands/tokens';
import { registerUserCommands } from './commands/users';
import { registerWorkerCommands } from './commands/workers';
import { bashCompletion } from './completion';
import type { Context } from './context';
import { ExitCode } from './exit-codes';

const EXIT_CODES_HELP = `
Exit codes:
  0    ok
  1    failed (a server error, a local step that failed)
  2    usage: a wrong command line, or input the server refused (400)
  3    not found (no such request, worker, user, token)
  4    not authenticated: no token, or the server refused it
  5    forbidden: the token may not do this (another user's request; an admin command)
  6    conflict: the state does not allow it (e.g. closing an ended request)
  7    timed out waiting (--wait --timeout)
  8    server unreachable (or answering 502/503/504)
  9    --wait: the request ended without running (cancelled, deadline, invalid)
  130  interrupted (Ctrl-C) while waiting
  ssh, console, scp, power and flash exit with the board command's status (ssh's errors: 255).

Configuration: leshy login --server URL --token TOKEN writes
$XDG_CONFIG_HOME/leshy/config.json (default ~/.config/leshy/config.json, mode 0600);
LESHY_SERVER and LESHY_TOKEN override it. Completion: source <(leshy completion bash).
Every command takes --json (machine-readable output on stdout). Docs: docs/cli.md.`;

/** The whole `leshy` command tree. */
export function buildProgram(ctx: Context): Command {
  const program = new Command('leshy')
    .description("Leshy's command line: reserve boards, work on them, run the lab")
    .version(LESHY_VERSION, '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    })
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();
  registerSessionCommands(program, ctx);
  registerRequestCommands(program, ctx);
  registerBoardCommands(program, ctx);
  registerWorkerCommands(program, ctx);
  registerUserCommands(program, ctx);
  registerTokenCommands(program, ctx);
  registerAuditCommands(program, ctx);
  program
    .command('completion')
    .description('print the shell completion script: source <(leshy completion bash)')
    .argument('[shell]', 'bash (zsh: autoload bashcompinit && bashcompinit first)', 'bash')
    .action((shell: string, options: { json?: boolean }) => {
      if (shell !== 'bash' && shell !== 'zsh') {
        ctx.io.stderr.write(
          `leshy: no completion for "${shell}"; bash and zsh (with bashcompinit) are supported\n`,
        );
        ctx.exitCode = ExitCode.Usage;
        return;
      }
      const script =
        (shell === 'zsh' ? 'autoload -U +X bashcompinit && bashcompinit\n' : '') +
        bashCompletion(program);
      ctx.io.stdout.write(options.json ? JSON.stringify({ shell, script }) + '\n' : script);
    });
  addToLeaves(program, () => new Option('--json', 'machine-readable output (JSON on stdout)'));
  return program;
}

/** Every command without subcommands gets the option; parents pass their settings down. */
function addToLeaves(cmd: Command, option: () => Option): void {
  for (const sub of cmd.commands) {
    sub
      .exitOverride()
      .configureOutput(cmd.configureOutput())
      .showHelpAfterError('(add --help for usage)');
    if (sub.commands.length) addToLeaves(sub, option);
    else sub.addOption(option());
  }
}
