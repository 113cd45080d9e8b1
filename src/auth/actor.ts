import { HIGHEST_PRIORITY } from '../common/priority';

/**
 * Who is asking. Every service call that changes something takes one; the service decides what
 * this actor may do (roles and ownership live in the services, never in controllers).
 *
 * - `user`: a tester or an admin, authenticated by one of their tokens;
 * - `anonymous`: an API v1 caller without a credential, with LESHY_V1_ANONYMOUS_ROLE's role;
 *   all anonymous callers are one principal (upstream's clients have no identity);
 * - `agent`: a dryad-agent, by a per-agent token (bound to one worker UUID) or the lab-wide
 *   enrollment token LESHY_AGENT_TOKEN (any UUID);
 * - `system`: the server itself (matcher, timekeeper, agent operations).
 */
export type ActorKind = 'user' | 'anonymous' | 'agent' | 'system';
export type ActorRole = 'tester' | 'admin' | 'agent' | 'system';
export type UserRole = 'tester' | 'admin';

export interface Actor {
  readonly kind: ActorKind;
  /** user: the user's id; agent: the bound worker UUID (null: not bound yet); system: component. */
  readonly id: string | null;
  readonly role: ActorRole;
  /** The worker groups this actor's requests may use (admins and system: any). */
  readonly groups: readonly string[];
  /** The best (lowest number) priority this actor may ask for. */
  readonly bestPriority: number;
  /** What the audit log records: `user:<name>`, `anonymous`, `agent:<uuid>`, `system:<part>`. */
  readonly label: string;
  /** The token this actor authenticated with (null: none, or the lab-wide enrollment token). */
  readonly tokenId: number | null;
}

export interface UserIdentity {
  id: number;
  name: string;
  role: UserRole;
  groups: readonly string[];
  bestPriority: number;
}

export function userActor(user: UserIdentity, tokenId: number | null): Actor {
  return {
    kind: 'user',
    id: String(user.id),
    role: user.role,
    groups: [...user.groups],
    bestPriority: user.bestPriority,
    label: `user:${user.name}`,
    tokenId,
  };
}

/** API v1 without a credential: upstream's clients, with the role the lab chose for them. */
export function anonymousActor(role: UserRole): Actor {
  return {
    kind: 'anonymous',
    id: null,
    role,
    groups: [],
    bestPriority: HIGHEST_PRIORITY,
    label: 'anonymous',
    tokenId: null,
  };
}

/** A per-agent token (`tokenId`, bound to `workerUuid` or not yet) or the enrollment token. */
export function agentActor(workerUuid: string | null, tokenId: number | null): Actor {
  return {
    kind: 'agent',
    id: workerUuid,
    role: 'agent',
    groups: [],
    bestPriority: HIGHEST_PRIORITY,
    label: workerUuid
      ? `agent:${workerUuid}`
      : tokenId
        ? `agent:token-${tokenId}`
        : 'agent:enrollment',
    tokenId,
  };
}

export function systemActor(component: string): Actor {
  return {
    kind: 'system',
    id: component,
    role: 'system',
    groups: [],
    bestPriority: HIGHEST_PRIORITY,
    label: `system:${component}`,
    tokenId: null,
  };
}

/** Admins and the server itself act on anything. */
export function actsOnAnything(actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'system';
}

/** The enrollment token (LESHY_AGENT_TOKEN): an agent that may speak for any UUID. */
export function isEnrollmentAgent(actor: Actor): boolean {
  return actor.kind === 'agent' && actor.tokenId === null;
}

/**
 * What a request's `owner` column holds for requests this actor files: `user:<id>` or
 * `anonymous` (every anonymous API v1 caller is the same principal, as upstream).
 */
export function ownerKeyOf(actor: Actor): string {
  if (actor.kind === 'user') return `user:${actor.id}`;
  if (actor.kind === 'anonymous') return 'anonymous';
  return actor.label;
}
