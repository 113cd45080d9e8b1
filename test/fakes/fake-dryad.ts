import type { AgentStatus } from 'dryad-agent/protocol';
import { DryadOperationError, DryadPort, DryadTarget } from '../../src/dryad/dryad.port';

type Operation = 'prepare' | 'maintenance' | 'healthcheck' | 'status' | 'authorize';

/**
 * A DryadPort that answers at once (or when released), records every call, and fails on
 * demand. Used by tests of the core instead of real agents.
 */
export class FakeDryad extends DryadPort {
  readonly calls: Array<{ operation: Operation; uuid: string; argument?: string }> = [];
  /** uuid → reason: that worker's next operations fail. */
  readonly failing = new Map<string, string>();
  /** When set, prepare waits until release() is called. */
  private held: Array<() => void> | null = null;
  username = 'boruta-user';

  hold(): void {
    this.held = [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = null;
    for (const resume of waiting) resume();
  }

  countOf(operation: Operation, uuid?: string): number {
    return this.calls.filter((c) => c.operation === operation && (!uuid || c.uuid === uuid)).length;
  }

  async prepare(target: DryadTarget, jobPublicKey: string): Promise<{ username: string }> {
    await this.record('prepare', target, jobPublicKey);
    if (this.held) await new Promise<void>((resolve) => this.held!.push(resolve));
    this.throwIfFailing(target);
    return { username: this.username };
  }

  async putInMaintenance(target: DryadTarget, message: string): Promise<void> {
    await this.record('maintenance', target, message);
    this.throwIfFailing(target);
  }

  async healthcheck(target: DryadTarget): Promise<void> {
    await this.record('healthcheck', target);
    this.throwIfFailing(target);
  }

  async status(target: DryadTarget): Promise<AgentStatus> {
    await this.record('status', target);
    this.throwIfFailing(target);
    return {
      uuid: target.uuid,
      accessMode: 'embedded',
      maintenance: { active: false, message: '' },
      job: { active: false, username: null, keys: 0 },
      stm: { responding: true, power: 'off', mux: 'ts' },
      console: { present: true, path: '/dev/ttyS1' },
    };
  }

  /** Records the key; the fake board runs whatever job the server says (the job is not checked). */
  async authorize(target: DryadTarget, publicKey: string): Promise<void> {
    await this.record('authorize', target, publicKey);
    this.throwIfFailing(target);
  }

  private async record(
    operation: Operation,
    target: DryadTarget,
    argument?: string,
  ): Promise<void> {
    this.calls.push({ operation, uuid: target.uuid, argument });
    await Promise.resolve();
  }

  private throwIfFailing(target: DryadTarget): void {
    const reason = this.failing.get(target.uuid);
    if (reason) throw new DryadOperationError(reason);
  }
}
