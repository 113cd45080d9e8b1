import type { AgentConfig } from '../config/agent.config';
import type { Logger } from '../log/logger';
import { AccessBackend, EmbeddedAccessBackend, SystemAccessBackend } from './access.backend';
import { AuthorizedKeysWriter, SafeAuthorizedKeysWriter } from './authorized-keys.file';
import { ChildProcessCommandRunner, CommandRunner } from './command.runner';
import { SystemUsersManager } from './system-users.manager';

/** What system mode does to the host; a test passes recording fakes instead. */
export interface SystemSideEffects {
  runner?: CommandRunner;
  keys?: AuthorizedKeysWriter;
}

/** The access backend `access_mode` asks for, set up from the config. */
export function accessBackendFor(
  config: AgentConfig,
  log: Logger,
  effects: SystemSideEffects = {},
): AccessBackend {
  if (config.accessMode === 'embedded') return new EmbeddedAccessBackend();
  return new SystemAccessBackend(
    new SystemUsersManager(
      effects.runner ?? new ChildProcessCommandRunner(),
      effects.keys ?? new SafeAuthorizedKeysWriter(),
      log.child('users'),
      { groups: config.ssh.jobGroups },
    ),
  );
}
