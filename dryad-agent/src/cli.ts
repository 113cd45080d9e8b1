#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { CliError, CliExit } from './cli/cli.errors';
import { fleetCommand } from './cli/fleet.command';
import { initCommand } from './cli/init.command';
import { runCommand } from './cli/run.command';
import { simulateCommand } from './cli/simulate.command';
import { COMMAND_USAGE, MAIN_USAGE } from './cli/usage.text';
import { DEFAULT_CONFIG_PATH } from './config/agent.config';
import { agentVersion } from './version';

const OPTIONS = {
  init: { config: { type: 'string' } },
  run: { config: { type: 'string' } },
  fleet: {
    count: { type: 'string' },
    server: { type: 'string' },
    token: { type: 'string' },
    caps: { type: 'string' },
    'base-port': { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    'heartbeat-ms': { type: 'string' },
    'log-level': { type: 'string' },
  },
  simulate: {
    stm: { type: 'string' },
    console: { type: 'string' },
    'boot-line-ms': { type: 'string' },
  },
} as const;

type CommandName = keyof typeof OPTIONS;

const print = (line: string) => process.stdout.write(line + '\n');

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    const topic = rest[0];
    print(topic && COMMAND_USAGE[topic] ? COMMAND_USAGE[topic] : MAIN_USAGE);
    return topic && !COMMAND_USAGE[topic] ? CliExit.Usage : CliExit.Ok;
  }
  if (command === '--version' || command === 'version') {
    print(agentVersion());
    return CliExit.Ok;
  }
  if (!(command in OPTIONS)) {
    throw new CliError(`unknown command "${command}"\n\n${MAIN_USAGE}`, CliExit.Usage);
  }
  const name = command as CommandName;
  if (rest.includes('--help') || rest.includes('-h')) {
    print(COMMAND_USAGE[name]);
    return CliExit.Ok;
  }
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: OPTIONS[name],
      strict: true,
      allowPositionals: false,
    }) as {
      values: Record<string, string | undefined>;
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${COMMAND_USAGE[name]}`, CliExit.Usage);
  }
  switch (name) {
    case 'init':
      return initCommand(values.config ?? DEFAULT_CONFIG_PATH, print);
    case 'run':
      return runCommand(values.config ?? DEFAULT_CONFIG_PATH, print);
    case 'fleet':
      return fleetCommand(values, print);
    case 'simulate':
      return simulateCommand(values, print);
  }
}

/** Runs the CLI and exits the process with its status; errors print without a stack. */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof CliError) {
        process.stderr.write(`dryad-agent: ${error.message}\n`);
        process.exit(error.code);
      }
      process.stderr.write(
        `dryad-agent: unexpected error: ${(error as Error).stack ?? String(error)}\n`,
      );
      process.exit(CliExit.Failed);
    },
  );
}

if (require.main === module) runCli(process.argv.slice(2));
