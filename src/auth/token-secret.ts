import { createHash, randomBytes } from 'node:crypto';

/**
 * Token secrets: `lsy_` and 32 random bytes in base64url (43 characters). The prefix lets
 * secret scanners (and people) recognise a leaked Leshy token.
 */
export const TOKEN_PREFIX = 'lsy_';
const RANDOM_BYTES = 32;

export function newTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(RANDOM_BYTES).toString('base64url');
}

/** What the database keeps of a secret: its SHA-256, in hex. */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
