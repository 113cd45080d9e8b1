/**
 * An admin's order to take a worker out of service (API v2 `POST /workers/:uuid/maintenance`,
 * API v1 setstate MAINTENANCE): kept on the worker from the order until it is back in service
 * (PREPARE), so everyone sees why a board is out, and who took it out when.
 */
export interface MaintenanceOrder {
  /** Shown on the board's display; null: the default text. */
  message: string | null;
  /** A RUNNING worker finishes its job first (the job is not failed). */
  drain: boolean;
  /** Actor label of the admin, e.g. `user:root`. */
  by: string;
  /** RFC 3339. */
  at: string;
}

/** What the board shows when the admin gave no message (what API v1 has always shown). */
export const DEFAULT_MAINTENANCE_MESSAGE = 'MAINTENANCE';

export function displayedMessage(order: MaintenanceOrder | null): string {
  return order?.message ?? DEFAULT_MAINTENANCE_MESSAGE;
}

/** A RUNNING worker under this order goes to maintenance when its job ends, and takes no new one. */
export function isDraining(order: MaintenanceOrder | null): boolean {
  return order?.drain === true;
}

/** The board's display is small: a message longer than this is refused, not cut. */
export const MAX_MAINTENANCE_MESSAGE_LENGTH = 200;
/** One line of printable text (no control characters: the display has no use for them). */
export const MAINTENANCE_MESSAGE_PATTERN = /^[^\p{Cc}]*$/u;

/** Why `message` cannot be shown on a board, or null if it can. */
export function whyNotDisplayable(message: string): string | null {
  if (message.length > MAX_MAINTENANCE_MESSAGE_LENGTH)
    return `message must be at most ${MAX_MAINTENANCE_MESSAGE_LENGTH} characters (the board's display is small)`;
  if (!MAINTENANCE_MESSAGE_PATTERN.test(message))
    return 'message must be one line of text without control characters';
  return null;
}
