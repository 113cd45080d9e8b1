import type { Caps } from 'dryad-agent/protocol';
import { capSatisfied, CapsQuery, capsQuerySatisfied } from './caps-query';

/**
 * The matching rules of DESIGN.md "Matching", as pure functions shared by the matcher, the
 * job start check and the INVALID check.
 */
export interface Offer {
  caps: Caps;
  groups: readonly string[];
}

export interface Ask {
  /** Canonical (normalizeCapsQuery): equal asks are equal JSON. */
  caps: CapsQuery;
  /** The requester's groups. */
  ownerGroups: readonly string[];
  /** The requester may use a worker of any group (an admin). */
  anyGroup: boolean;
}

export interface TimeWindow {
  validAfter: Date;
  deadline: Date;
}

/**
 * Every requested cap is satisfied: the one predicate of "can this worker serve this ask" for
 * the matcher, the job start check, the INVALID check and the unservable notes.
 */
export function capsSatisfied(required: CapsQuery, offered: Caps): boolean {
  return capsQuerySatisfied(required, offered);
}

/**
 * The requested caps that no offer satisfies on its own (in the ask's key order): what no
 * registered worker has, for notes and explanations. Empty when each cap is met by some offer.
 */
export function capsNoOfferSatisfies(required: CapsQuery, offers: readonly Offer[]): string[] {
  return Object.keys(required).filter(
    (key) => !offers.some((offer) => capSatisfied(required[key], offer.caps[key])),
  );
}

/**
 * Groups reserve boards: a worker with no groups serves everyone; a worker in groups serves
 * only requesters in one of them, and admins.
 */
export function groupsAdmit(workerGroups: readonly string[], ask: Ask): boolean {
  if (workerGroups.length === 0 || ask.anyGroup) return true;
  return workerGroups.some((group) => ask.ownerGroups.includes(group));
}

export function isCompatible(worker: Offer, ask: Ask): boolean {
  return capsSatisfied(ask.caps, worker.caps) && groupsAdmit(worker.groups, ask);
}

/** Ready: validAfter <= now < deadline. */
export function isReady(window: TimeWindow, now: Date): boolean {
  return window.validAfter.getTime() <= now.getTime() && now.getTime() < window.deadline.getTime();
}

export function canServe(worker: Offer, request: Ask & TimeWindow, now: Date): boolean {
  return isCompatible(worker, request) && isReady(request, now);
}

/** How capable a worker is: among those that can serve, the least capable is taken. */
export function capability(worker: Offer): number {
  return Object.keys(worker.caps).length + worker.groups.length;
}

/** Requests with the same key are interchangeable to the matcher (same caps, same groups). */
export function askKey(ask: Ask): string {
  // The caps are canonical, so equal asks (however they were written) give the same key.
  const caps = Object.keys(ask.caps)
    .sort()
    .map((key) => [key, ask.caps[key]]);
  return JSON.stringify([caps, ask.anyGroup ? '*' : [...ask.ownerGroups].sort()]);
}
