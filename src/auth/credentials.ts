/**
 * Reads the credential of an HTTP request. Bearer everywhere; HTTP Basic (the token as the
 * password, the user name ignored) where the caller allows it: API v1, because upstream's Go
 * client sends Basic when its server URL carries `user:token@`.
 */
export type Credential =
  { kind: 'none' } | { kind: 'token'; secret: string } | { kind: 'malformed'; why: string };

export function readCredential(
  authorization: string | undefined,
  options: { basic: boolean },
): Credential {
  if (authorization === undefined || authorization.trim() === '') return { kind: 'none' };
  const match = /^(\S+)\s+(\S+)\s*$/.exec(authorization);
  const scheme = match?.[1].toLowerCase();
  if (scheme === 'bearer') return { kind: 'token', secret: match![2] };
  if (scheme === 'basic' && options.basic) {
    const decoded = Buffer.from(match![2], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    if (password === '')
      return { kind: 'malformed', why: 'HTTP Basic credentials need the token as the password' };
    return { kind: 'token', secret: password };
  }
  return {
    kind: 'malformed',
    why: options.basic
      ? 'the Authorization header is not understood: send "Bearer <token>" or HTTP Basic with the token as the password'
      : 'the Authorization header is not understood: send "Bearer <token>"',
  };
}
