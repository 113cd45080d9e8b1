import type { TokenView, UserView } from '../../../events/domain-event';
import type { IssuedToken } from '../../../auth/tokens.service';

/** API v2's JSON for users and tokens: ISO times, never a secret or its hash. */
export function toUserDto(user: UserView) {
  return {
    id: user.id,
    name: user.name,
    role: user.role,
    groups: user.groups,
    bestPriority: user.bestPriority,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export function toTokenDto(token: TokenView) {
  return {
    id: token.id,
    kind: token.kind,
    userId: token.userId,
    workerUuid: token.workerUuid,
    label: token.label,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

/** The answer of a token's creation: the one time its secret is shown. */
export function toIssuedTokenDto(issued: IssuedToken) {
  return { ...toTokenDto(issued.token), secret: issued.secret };
}
