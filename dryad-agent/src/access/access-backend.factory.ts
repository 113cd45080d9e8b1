import { join } from 'node:path';
import type { AgentConfig } from '../config/agent.config';
import type { Logger } from '../log/logger';
import { AccessBackend, EmbeddedAccessBackend, SystemAccessBackend } from './access.backend';
import { AgentDevicesGuard } from './agent-devices.guard';
import { AuthorizedKeysWriter, SafeAuthorizedKeysWriter } from './authorized-keys.file';
import { ChildProcessCommandRunner, CommandRunner } from './command.runner';
import { JobUidStore } from './job-uid.store';
import type { IpcTable } from './job-ipc.sweeper';
import type { ProcessTable } from './process.table';
import { SystemUsersManager } from './system-users.manager';
import type { MountTable } from './writable-mounts';

/** Where system mode keeps the uids it handed out, so that a restart can clean after a crash. */
export const SYSTEM_USERS_STATE_FILE = 'system-users.json';

/** What system mode does to the host; a test passes recording fakes instead. */
export interface SystemSideEffects {
  runner?: CommandRunner;
  keys?: AuthorizedKeysWriter;
  processes?: ProcessTable;
  mounts?: MountTable;
  ipc?: IpcTable;
}

/** The access backend `access_mode` asks for, set up from the config. */
export function accessBackendFor(
  config: AgentConfig,
  log: Logger,
  effects: SystemSideEffects = {},
): AccessBackend {
  if (config.accessMode === 'embedded') return new EmbeddedAccessBackend();
  const runner = effects.runner ?? new ChildProcessCommandRunner();
  const lendConsole = config.console.jobAccess;
  const guarded = [
    { key: 'stm.path', path: config.stm.path },
    { key: 'sdcard.device', path: config.sdcard.device },
    ...(lendConsole ? [] : [{ key: 'console.path', path: config.console.path }]),
  ];
  return new SystemAccessBackend(
    new SystemUsersManager(
      runner,
      effects.keys ?? new SafeAuthorizedKeysWriter(),
      log.child('users'),
      {
        groups: config.ssh.jobGroups,
        store: new JobUidStore(join(config.dataDir, SYSTEM_USERS_STATE_FILE)),
        processes: effects.processes,
        mounts: effects.mounts,
        ipc: effects.ipc,
        lentDevice: lendConsole ? config.console.path : null,
        guard: new AgentDevicesGuard(runner, guarded, config.ssh.jobGroups),
      },
    ),
  );
}
