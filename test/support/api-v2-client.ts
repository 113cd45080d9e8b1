import type { Actor, UserRole } from '../../src/auth/actor';
import { apiUser } from './api-users';
import type { TestApp } from './test-app';
import { v2Client, V2Response } from './v2-client';

/**
 * A user of the in-process app with an exact name, calling API v2 over HTTP (v2-client.ts)
 * and, as `actor`, the services in-process. `J` is what a suite reads answers as by default.
 */
export interface V2Caller<J = unknown> {
  actor: Actor;
  name: string;
  call<T = J>(method: string, path: string, body?: unknown): Promise<V2Response<T>>;
}

export async function v2Caller<J = unknown>(
  t: Pick<TestApp, 'app'>,
  baseUrl: string,
  name: string,
  role: UserRole,
): Promise<V2Caller<J>> {
  const user = await apiUser(t, name, role);
  const client = v2Client(baseUrl, name, user.secret);
  return { actor: user.actor, name, call: (method, path, body) => client.call(method, path, body) };
}
