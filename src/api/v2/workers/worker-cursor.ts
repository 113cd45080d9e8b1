import { InvalidInputError } from '../../../common/domain-error';

/**
 * The opaque cursor of worker lists: the UUID of the last worker of the previous page, in
 * base64url JSON so clients do not build it themselves (its form may change).
 */
export function encodeWorkerCursor(lastUuid: string): string {
  return Buffer.from(JSON.stringify({ after: lastUuid })).toString('base64url');
}

export function decodeWorkerCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const after = (parsed as { after?: unknown } | null)?.after;
    if (typeof after === 'string' && after !== '') return after;
  } catch {
    // fall through: not one of ours
  }
  throw new InvalidInputError(
    'cursor is not one this server gave out: pass the nextCursor of the previous page as it is',
  );
}
