import { randomUUID } from 'node:crypto';
import { systemActor } from '../../src/auth/actor';
import type { UserRole } from '../../src/auth/actor';
import { TokensService } from '../../src/auth/tokens.service';
import { UsersService } from '../../src/auth/users.service';
import { rawRequest, RawResponse } from './http-client';
import type { TestApp } from './test-app';

/** A JSON body as suites read it: loosely, each test asserts what it needs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** An API v2 answer: status, headers, and the body parsed as JSON (null if it is empty). */
export interface V2Response<T = Json> {
  status: number;
  header(name: string): string | undefined;
  body: T;
  raw: RawResponse;
}

/** One caller of API v2 with a Bearer token. */
export interface V2Client {
  name: string;
  token: string;
  call<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<V2Response<T>>;
}

export function v2Client(baseUrl: string, name: string, token: string): V2Client {
  return {
    name,
    token,
    async call(method, path, body, headers = {}) {
      const raw = await rawRequest(baseUrl, method, path, {
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return {
        status: raw.status,
        header: raw.header,
        body: raw.body ? JSON.parse(raw.body) : null,
        raw,
      };
    },
  };
}

/** A new user of the in-process app (a unique name from `prefix`) and a client with their token. */
export async function v2User(
  t: TestApp,
  prefix: string,
  role: UserRole = 'tester',
  options: { groups?: string[]; bestPriority?: number } = {},
): Promise<V2Client> {
  const system = systemActor('test');
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const user = await t.app.get(UsersService).create(system, { name, role, ...options });
  const issued = await t.app.get(TokensService).issueUserToken(system, user.id, { label: 'test' });
  return v2Client(await t.app.getUrl(), name, issued.secret);
}
