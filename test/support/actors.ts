import { Actor, agentActor, userActor } from '../../src/auth/actor';

/**
 * Callers for suites that drive the services in-process: services check roles and ownership
 * themselves, so each call names who makes it.
 */
let nextId = 1000;
const ids = new Map<string, number>();

/** A tester (the same name always gives the same user), in `groups`. */
export function testerNamed(name: string, groups: readonly string[] = [], bestPriority = 1): Actor {
  const key = JSON.stringify([name, groups, bestPriority]);
  let id = ids.get(key);
  if (id === undefined) ids.set(key, (id = nextId++));
  return userActor({ id, name, role: 'tester', groups, bestPriority }, null);
}

export const TESTER = testerNamed('tester');
export const ADMIN = userActor(
  { id: 1, name: 'admin', role: 'admin', groups: [], bestPriority: 1 },
  null,
);
/** The lab-wide enrollment token: an agent that speaks for any worker. */
export const AGENT = agentActor(null, null);
