import { InvalidInputError } from '../../../common/domain-error';

/**
 * The audit log's page cursor: opaque to clients, it holds the id of the last entry of the
 * page (the next page has the older ones).
 */
export function encodeAuditCursor(lastId: number): string {
  return Buffer.from(`audit:${lastId}`).toString('base64url');
}

export function decodeAuditCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === '') return null;
  const match = /^audit:([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match)
    throw new InvalidInputError(
      'cursor is not one this server gave: pass the nextCursor of the previous page as it is',
    );
  return Number(match[1]);
}
