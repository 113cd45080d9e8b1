import type { LogFields } from '../logging/log-fields';
import type { DryadPort } from './dryad.port';

/** The DryadPort operations the SSH thread runs. */
export type DryadOperation = Exclude<keyof DryadPort, 'constructor'>;

/** What the server's main thread sends to its SSH thread (dryad-ssh.worker.ts). */
export type ToSshThread =
  | { kind: 'call'; id: number; operation: DryadOperation; args: unknown[] }
  | { kind: 'forget'; uuid: string }
  | { kind: 'close' };

/** An operation's failure as it crosses the thread: a DryadOperationError, or anything else. */
export interface ThreadFailure {
  dryad: boolean;
  message: string;
}

/**
 * What the SSH thread sends back. Every answer tells whether the thread still holds a
 * connection to the operation's agent, so the main thread's view of that stays current.
 */
export type FromSshThread =
  | { kind: 'answer'; id: number; uuid: string; connected: boolean; value: unknown }
  | { kind: 'failure'; id: number; uuid: string; connected: boolean; error: ThreadFailure }
  | { kind: 'lost'; uuid: string; reason: string }
  | { kind: 'warn'; message: string; fields: LogFields };

/** The thread's start-up data (workerData). */
export interface SshThreadData {
  privateKey: string;
  timeoutMs: number;
}
