import { Actor, actsOnAnything, isEnrollmentAgent, ownerKeyOf } from './actor';
import { NotAllowedError } from './auth.errors';

/**
 * The access rules services apply. Roles: testers file and manage their own requests, admins
 * run the lab (and manage anything), agents speak for their own worker only.
 */

/** The caller as messages name it. */
export function who(actor: Actor): string {
  return actor.kind === 'anonymous'
    ? `anonymous API v1 callers (LESHY_V1_ANONYMOUS_ROLE=${actor.role})`
    : actor.label;
}

/** Lab users (testers, admins, anonymous v1 callers) and the server itself. */
export function assertLabUser(actor: Actor, action: string): void {
  if (actor.role === 'tester' || actsOnAnything(actor)) return;
  throw new NotAllowedError(`${who(actor)} may not ${action}: it is for testers and admins`);
}

export function assertAdmin(actor: Actor, action: string): void {
  if (actsOnAnything(actor)) return;
  throw new NotAllowedError(`${who(actor)} may not ${action}: it is for admins`);
}

/** Update, close, acquire, prolong: the request's owner or an admin. */
export function assertMayManageRequest(
  actor: Actor,
  request: { id: number; owner: string | null },
  action: string,
): void {
  assertLabUser(actor, action);
  if (actsOnAnything(actor)) return;
  // Requests from before identities existed were filed anonymously.
  const owner = request.owner ?? 'anonymous';
  if (owner === ownerKeyOf(actor)) return;
  throw new NotAllowedError(
    `${who(actor)} may not ${action} request ${request.id}: only its owner or an admin may`,
  );
}

/**
 * Registration: as assertAgentFor, and a per-agent token not bound yet may register any UUID
 * (its first registration binds it to that UUID).
 */
export function assertAgentMayRegister(actor: Actor, uuid: string): void {
  if (actor.kind === 'agent' && actor.id === null) return;
  assertAgentFor(actor, uuid, 'register');
}

/**
 * Register, heartbeat, report failure: an agent for its own worker. A per-agent token speaks
 * for the UUID it is bound to; the enrollment token (LESHY_AGENT_TOKEN) for any; a per-agent
 * token not bound yet only registers (which binds it).
 */
export function assertAgentFor(actor: Actor, uuid: string, action: string): void {
  if (actor.role === 'system') return;
  if (actor.kind !== 'agent')
    throw new NotAllowedError(`${who(actor)} may not ${action}: it is for agents`);
  if (isEnrollmentAgent(actor) || actor.id === uuid) return;
  throw new NotAllowedError(
    actor.id === null
      ? `this agent token is not bound to a worker yet: register worker ${uuid} first`
      : `this agent token belongs to worker ${actor.id}: it may not ${action} worker ${uuid}`,
  );
}
