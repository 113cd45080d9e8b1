import type { Actor } from '../../src/auth/actor';
import type { TokensService } from '../../src/auth/tokens.service';

/** The actor a token stands for, as the guard would make it. */
export function actorFor(tokens: TokensService, secret: string): Promise<Actor> {
  return tokens.authenticate(secret);
}
