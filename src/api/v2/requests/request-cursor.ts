import { InvalidInputError } from '../../../common/domain-error';
import type { V2Sort } from './request-input.dto';

/**
 * API v2's opaque list cursor: the border request's id and the sort it was made for, as
 * base64url JSON. The list query pages after the border in that sort (keyset paging).
 */
export function encodeCursor(borderId: number, sort: V2Sort): string {
  return Buffer.from(JSON.stringify({ b: borderId, s: sort })).toString('base64url');
}

export function decodeCursor(cursor: string, sort: V2Sort): number {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = null;
  }
  const { b, s } = (decoded ?? {}) as { b?: unknown; s?: unknown };
  if (typeof b !== 'number' || !Number.isSafeInteger(b) || b < 1 || typeof s !== 'string')
    throw new InvalidInputError(
      'cursor is not a cursor this server made: pass back the nextCursor of a page',
    );
  if (s !== sort)
    throw new InvalidInputError(
      `cursor was made for sort=${s}, not sort=${sort}: keep the sort while paging`,
    );
  return b;
}
