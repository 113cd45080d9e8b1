import type { INestApplication } from '@nestjs/common';
import { Actor, systemActor } from '../../src/auth/actor';
import type { UserRole } from '../../src/auth/actor';
import { TokensService } from '../../src/auth/tokens.service';
import { UsersService } from '../../src/auth/users.service';
import { rawRequest, RawResponse } from './http-client';

/** An API v2 answer with its body parsed (problem+json or JSON; null when empty). */
export interface V2Response<T> extends RawResponse {
  json: T;
}

/**
 * Calls API v2 as one user (Bearer token), with JSON bodies. `J` is what a suite reads its
 * answers as by default (the shapes it checks), unchecked: the assertions check them.
 */
export interface V2Client<J = unknown> {
  /** The user's actor, for calling services in-process as the same user. */
  actor: Actor;
  name: string;
  call<T = J>(method: string, path: string, body?: unknown): Promise<V2Response<T>>;
}

/** A user with a fresh token on a running app, and a client that calls as them. */
export async function v2User<J = unknown>(
  app: INestApplication,
  baseUrl: string,
  name: string,
  role: UserRole,
  groups: string[] = [],
): Promise<V2Client<J>> {
  const system = systemActor('tests');
  const tokens = app.get(TokensService);
  const user = await app.get(UsersService).create(system, { name, role, groups });
  const { secret } = await tokens.issueUserToken(system, user.id, { label: 'tests' });
  return {
    actor: await tokens.authenticate(secret),
    name,
    async call(method, path, body) {
      const response = await rawRequest(baseUrl, method, path, {
        headers: {
          Authorization: `Bearer ${secret}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (response.body ? JSON.parse(response.body) : null) as never;
      return { ...response, json };
    },
  };
}
