import { existsSync } from 'node:fs';
import { writeConfigTemplate } from '../config/config.template';
import { CliError, CliExit } from './cli.errors';
import { trackableByGit } from './git-ignore.check';

export function initCommand(configPath: string, print: (line: string) => void): number {
  if (existsSync(configPath)) {
    throw new CliError(
      `${configPath} already exists; it holds this board's UUID, so it is not overwritten. Edit it, or remove it first to start a new identity.`,
      CliExit.Config,
    );
  }
  const uuid = writeConfigTemplate(configPath);
  print(`wrote ${configPath} with board UUID ${uuid}`);
  if (trackableByGit(configPath)) {
    print(
      `note: ${configPath} is inside a git work tree and not ignored by it; it will hold the agent token, so add it to .gitignore (or keep the config outside the repository)`,
    );
  }
  print(
    `next: edit server.url and server.token in it, then run: dryad-agent run --config ${configPath}`,
  );
  return CliExit.Ok;
}
