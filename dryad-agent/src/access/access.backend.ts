import type { AccessMode } from '../protocol';
import type { SystemUsersManager } from './system-users.manager';

/**
 * The mode-specific part of giving a job access. Embedded mode needs nothing outside the
 * agent (its SSH server checks keys itself); system mode manages a Unix user.
 */
export interface AccessBackend {
  readonly mode: AccessMode;
  startJob(username: string, keyLines: string[]): Promise<void>;
  updateKeys(username: string, keyLines: string[]): Promise<void>;
  endJob(username: string): Promise<void>;
  /**
   * At start, before anything else: removes whatever access a previous run left (it may have
   * been killed mid-job) and checks the host is set up safely.
   */
  recover(username: string): Promise<void>;
}

export class EmbeddedAccessBackend implements AccessBackend {
  readonly mode = 'embedded' as const;
  async startJob(): Promise<void> {}
  async updateKeys(): Promise<void> {}
  async endJob(): Promise<void> {}
  async recover(): Promise<void> {}
}

export class SystemAccessBackend implements AccessBackend {
  readonly mode = 'system' as const;

  constructor(private readonly users: SystemUsersManager) {}

  startJob(username: string, keyLines: string[]): Promise<void> {
    return this.users.recreate(username, keyLines);
  }

  updateKeys(username: string, keyLines: string[]): Promise<void> {
    return this.users.writeKeys(username, keyLines);
  }

  endJob(username: string): Promise<void> {
    return this.users.remove(username);
  }
  recover(username: string): Promise<void> {
    return this.users.recover(username);
  }
}
