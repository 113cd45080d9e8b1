import type { ServerProcess } from '../support/server-process';
import { v2Client, V2Client } from '../support/v2-client';

/** The admin token the benches start their servers with (LESHY_ADMIN_TOKEN). */
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdefghij';

/** A tester of their own on the bench's server: a user `name` and a token, as API v2 clients. */
export async function benchTester(server: ServerProcess, name: string): Promise<V2Client> {
  const admin = v2Client(server.baseUrl, 'admin', BENCH_ADMIN_TOKEN);
  // Allowed every priority: the HTTP bench spreads its testers over all 16.
  const user = await admin.call('POST', '/api/v2/users', { name, role: 'tester', bestPriority: 1 });
  if (user.status !== 201) throw new Error(`user: ${user.status} ${JSON.stringify(user.body)}`);
  const token = await admin.call('POST', `/api/v2/users/${user.body.id}/tokens`, {
    label: 'bench',
  });
  if (token.status !== 201) throw new Error(`token: ${token.status} ${JSON.stringify(token.body)}`);
  return v2Client(server.baseUrl, user.body.name, token.body.secret);
}
