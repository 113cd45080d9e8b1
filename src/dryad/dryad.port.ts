import type { AgentStatus } from 'dryad-agent/protocol';

/** What the server needs to reach one agent. */
export interface DryadTarget {
  uuid: string;
  /** host:port of the agent's SSH server. */
  controlAddr: string;
  /** Pinned at registration: a different host key is refused. */
  hostKey: string;
}

/** Raised by a DryadPort operation; `message` is the reason shown on the worker. */
export class DryadOperationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DryadOperationError';
  }
}

/**
 * Operations on an agent. The real implementation drives the agent over SSH (src/dryad);
 * tests of the core use test/fakes/fake-dryad.ts. Every operation either resolves or rejects
 * with a DryadOperationError within the configured time limit (LESHY_DRYAD_TIMEOUT): the
 * implementation bounds itself, so callers do not wrap operations in timeouts of their own.
 */
export abstract class DryadPort {
  /** Fresh job user on the board with `jobPublicKey` (OpenSSH line) as its only key. */
  abstract prepare(target: DryadTarget, jobPublicKey: string): Promise<{ username: string }>;
  /** OLED message and blinking LEDs; revokes tester access. */
  abstract putInMaintenance(target: DryadTarget, message: string): Promise<void>;
  /** STM power tick, STM answering, DUT console present. Power-cycles the DUT: never during a job. */
  abstract healthcheck(target: DryadTarget): Promise<void>;
  /** The agent's own view of itself; harmless at any time (used as a liveness probe). */
  abstract status(target: DryadTarget): Promise<AgentStatus>;
  /**
   * Adds a tester's own public key to the running job (API v2): the job whose key has the
   * fingerprint `jobKeyFingerprint`; refused if the board runs another job by then.
   */
  abstract authorize(
    target: DryadTarget,
    publicKey: string,
    jobKeyFingerprint: string,
  ): Promise<void>;
}
