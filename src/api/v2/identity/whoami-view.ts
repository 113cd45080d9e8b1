import type { Actor } from '../../../auth/actor';

/** Who the server takes a caller for, as `GET /api/v2/whoami` and the session routes answer. */
export function whoamiView(actor: Actor) {
  return {
    kind: actor.kind,
    name: actor.label,
    role: actor.role,
    userId: actor.kind === 'user' ? Number(actor.id) : null,
    workerUuid: actor.kind === 'agent' ? actor.id : null,
    groups: actor.groups,
    bestPriority: actor.bestPriority,
  };
}
