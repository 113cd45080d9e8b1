import { InvalidInputError } from '../common/domain-error';

/** A token's expiry, if it has one, must lie ahead. */
export function assertExpiryAhead(expiresAt: Date | null, now: Date): void {
  if (expiresAt && expiresAt.getTime() <= now.getTime())
    throw new InvalidInputError(`expiresAt ${expiresAt.toISOString()} is not in the future`);
}

/** How the server reports a token it will not accept any more (never showing the secret). */
export function whyUnusable(
  token: { revokedAt: Date | null; expiresAt: Date | null },
  now: Date,
): string | null {
  if (token.revokedAt) return `the token was revoked at ${token.revokedAt.toISOString()}`;
  if (token.expiresAt && token.expiresAt.getTime() <= now.getTime())
    return `the token expired at ${token.expiresAt.toISOString()}`;
  return null;
}
