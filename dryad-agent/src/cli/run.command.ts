import { existsSync } from 'node:fs';
import { Agent } from '../agent';
import { ConfigError, loadConfigFile } from '../config/config.loader';
import { writeConfigTemplate } from '../config/config.template';
import { Logger } from '../log/logger';
import { CliError, CliExit } from './cli.errors';

/** Runs one agent until SIGINT/SIGTERM; resolves with the exit status. */
export async function runCommand(
  configPath: string,
  print: (line: string) => void,
): Promise<number> {
  if (!existsSync(configPath)) {
    let uuid: string;
    try {
      uuid = writeConfigTemplate(configPath);
    } catch (error) {
      throw new CliError(
        `no config at ${configPath}, and writing one failed: ${(error as Error).message}`,
        CliExit.Config,
      );
    }
    throw new CliError(
      `no config at ${configPath}: wrote one with board UUID ${uuid}. Edit server.url and server.token in it, then start the agent again.`,
      CliExit.Config,
    );
  }
  let config;
  try {
    config = loadConfigFile(configPath);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new CliError(
        `config problem: ${error.message}\nfix the file and start again (reference: dryad-agent/README.md)`,
        CliExit.Config,
      );
    }
    throw error;
  }
  const agent = new Agent({ config, logger: new Logger(config.logLevel) });
  try {
    await agent.start();
  } catch (error) {
    await agent.stop().catch(() => undefined);
    throw new CliError(`cannot start: ${(error as Error).message}`);
  }
  print(
    `dryad-agent ${config.uuid} running: control ${agent.controlAddr}, testers ${agent.sshAddr}, server ${config.server.url}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await agent.stop();
  return CliExit.Ok;
}
