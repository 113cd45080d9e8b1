import type { Caps } from 'dryad-agent/protocol';
import { Ask, capability, isCompatible } from '../common/ask';

export interface IdleWorker {
  readonly uuid: string;
  readonly caps: Caps;
  readonly groups: readonly string[];
  readonly idleSince: number;
  readonly capability: number;
}

/** Least capable first, then idle longest, then by UUID so the choice is always the same. */
export function preferredWorker(a: IdleWorker, b: IdleWorker): boolean {
  if (a.capability !== b.capability) return a.capability < b.capability;
  if (a.idleSince !== b.idleSince) return a.idleSince < b.idleSince;
  return a.uuid < b.uuid;
}

/** IDLE workers as the matcher sees them. */
export class IdleWorkerIndex {
  private readonly workers = new Map<string, IdleWorker>();
  /** Workers looked at by bestFor so far: the matcher's work, counted for tests. */
  examined = 0;

  get size(): number {
    return this.workers.size;
  }

  upsert(worker: {
    uuid: string;
    caps: Caps;
    groups: readonly string[];
    idleSince: Date | null;
  }): IdleWorker {
    const entry: IdleWorker = {
      uuid: worker.uuid,
      caps: { ...worker.caps },
      groups: [...worker.groups],
      idleSince: worker.idleSince?.getTime() ?? 0,
      capability: capability(worker),
    };
    this.workers.set(entry.uuid, entry);
    return entry;
  }

  remove(uuid: string): void {
    this.workers.delete(uuid);
  }

  get(uuid: string): IdleWorker | undefined {
    return this.workers.get(uuid);
  }

  /** The worker DESIGN.md's rules choose for `ask`, if any can serve it. */
  bestFor(ask: Ask): IdleWorker | undefined {
    let best: IdleWorker | undefined;
    for (const worker of this.workers.values()) {
      this.examined++;
      if ((!best || preferredWorker(worker, best)) && isCompatible(worker, ask)) best = worker;
    }
    return best;
  }
}
