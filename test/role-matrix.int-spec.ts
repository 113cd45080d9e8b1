import { Controller, Get } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { systemActor } from '../src/auth/actor';
import { TokensService } from '../src/auth/tokens.service';
import { UsersService } from '../src/auth/users.service';
import type { V1AnonymousRole } from '../src/config/app-config';
import { workerRegistration } from './factories/worker.factory';
import { rawRequest } from './support/http-client';
import { servedRoutes } from './support/served-routes';
import { startTestApp, TestApp } from './support/test-app';
import { actorFor } from './support/token-actor';
import { tempDir } from './support/temp-dir';

/** Who calls: every kind of credential a route can meet. */
const CALLERS = [
  'none',
  'bad',
  'expired',
  'revoked',
  'owner',
  'other',
  'admin',
  'agentThis',
  'agentOther',
  'enrollment',
] as const;
type Caller = (typeof CALLERS)[number];
/** 'ok': the guard and the service let the call through (any status but 401, 403, 5xx). */
type Outcome = 401 | 403 | 'ok';
type Row = Record<Caller, Outcome>;

const ENROLLMENT = 'lab-wide-enrollment-token-for-the-matrix';

/** Lab users read, file and (anonymously, as their role allows) act; agents are refused. */
function v1(owner: Outcome, other: Outcome, admin: Outcome): (anon: V1AnonymousRole) => Row {
  return (anon) => ({
    // Without a credential, v1 callers are LESHY_V1_ANONYMOUS_ROLE: an anonymous tester is
    // not the owner of someone else's request.
    none: anon === 'none' ? 401 : anon === 'tester' ? other : admin,
    bad: 401,
    expired: 401,
    revoked: 401,
    owner,
    other,
    admin,
    agentThis: 403,
    agentOther: 403,
    enrollment: 403,
  });
}
const V1_READ = v1('ok', 'ok', 'ok');
const V1_OWNER = v1('ok', 403, 'ok');
const V1_ADMIN = v1(403, 403, 'ok');

const TOKENED = { none: 401, bad: 401, expired: 401, revoked: 401 } as const;
const V2_ADMIN: Row = {
  ...TOKENED,
  owner: 403,
  other: 403,
  admin: 'ok',
  agentThis: 403,
  agentOther: 403,
  enrollment: 403,
};
/** The worker under test has its own agent token, so the enrollment token may not speak for it. */
const V2_AGENT: Row = {
  ...TOKENED,
  owner: 403,
  other: 403,
  admin: 403,
  agentThis: 'ok',
  agentOther: 403,
  enrollment: 403,
};
const V2_ANY: Row = {
  ...TOKENED,
  owner: 'ok',
  other: 'ok',
  admin: 'ok',
  agentThis: 'ok',
  agentOther: 'ok',
  enrollment: 'ok',
};
/** API v2's lab routes: lab users read and file; the owner (or an admin) changes. */
const v2Lab = (owner: Outcome, other: Outcome): Row => ({
  ...TOKENED,
  owner,
  other,
  admin: 'ok',
  agentThis: 403,
  agentOther: 403,
  enrollment: 403,
});
/** Lab users (testers and admins) with a token; agents are refused. */
const V2_READ = v2Lab('ok', 'ok');
const V2_OWNER = v2Lab('ok', 403);
const ANYONE: Row = Object.fromEntries(CALLERS.map((c) => [c, 'ok'])) as Row;

/**
 * Every route the app serves, with what each caller gets. A route the app serves that is
 * missing here (or one listed here that the app does not serve) fails the test: new routes
 * join the matrix by construction.
 */
const MATRIX: Record<string, (anon: V1AnonymousRole) => Row> = {
  'GET /health': () => ANYONE,
  'GET /health/live': () => ANYONE,
  'GET /health/ready': () => ANYONE,
  'GET /metrics': () => ANYONE,
  'GET /api/v1/reqs': V1_READ,
  'POST /api/v1/reqs/list': V1_READ,
  'POST /api/v1/reqs': V1_READ,
  'GET /api/v1/reqs/:id': V1_READ,
  'POST /api/v1/reqs/:id': V1_OWNER,
  'POST /api/v1/reqs/:id/close': V1_OWNER,
  'POST /api/v1/reqs/:id/acquire_worker': V1_OWNER,
  'POST /api/v1/reqs/:id/prolong': V1_OWNER,
  'GET /api/v1/workers': V1_READ,
  'POST /api/v1/workers/list': V1_READ,
  'GET /api/v1/workers/:id': V1_READ,
  'POST /api/v1/workers/:id/setstate': V1_ADMIN,
  'POST /api/v1/workers/:id/setgroups': V1_ADMIN,
  'POST /api/v1/workers/:id/deregister': V1_ADMIN,
  'GET /api/v1/version': V1_READ,
  'POST /api/v2/agents/register': () => V2_AGENT,
  'POST /api/v2/agents/:uuid/fail': () => V2_AGENT,
  'POST /api/v2/agents/:uuid/heartbeat': () => V2_AGENT,
  'POST /api/v2/agents/:uuid/activity': () => V2_AGENT,
  'POST /api/v2/users': () => V2_ADMIN,
  'GET /api/v2/users': () => V2_ADMIN,
  'GET /api/v2/users/:id': () => V2_ADMIN,
  'PATCH /api/v2/users/:id': () => V2_ADMIN,
  'DELETE /api/v2/users/:id': () => V2_ADMIN,
  'POST /api/v2/users/:id/tokens': () => V2_ADMIN,
  'GET /api/v2/users/:id/tokens': () => V2_ADMIN,
  'GET /api/v2/tokens': () => V2_ADMIN,
  'POST /api/v2/tokens/:id/revoke': () => V2_ADMIN,
  'POST /api/v2/agent-tokens': () => V2_ADMIN,
  'POST /api/v2/workers/:uuid/admit': () => V2_ADMIN,
  'GET /api/v2/workers': () => V2_READ,
  'GET /api/v2/workers/:uuid': () => V2_READ,
  'POST /api/v2/workers/:uuid/maintenance': () => V2_ADMIN,
  'POST /api/v2/workers/:uuid/idle': () => V2_ADMIN,
  'PUT /api/v2/workers/:uuid/groups': () => V2_ADMIN,
  'DELETE /api/v2/workers/:uuid': () => V2_ADMIN,
  'GET /api/v2/requests/:id/explain': () => V2_READ,
  'GET /api/v2/whoami': () => V2_ANY,
  'POST /api/v2/requests': () => V2_READ,
  'GET /api/v2/requests': () => V2_READ,
  'GET /api/v2/requests/:id': () => V2_READ,
  'PATCH /api/v2/requests/:id': () => V2_OWNER,
  'POST /api/v2/requests/:id/close': () => V2_OWNER,
  'POST /api/v2/requests/:id/acquire': () => V2_OWNER,
  'POST /api/v2/requests/:id/prolong': () => V2_OWNER,
  'GET /api/v2/events': () => V2_READ,
  'GET /api/v2/audit': () => V2_READ,
};

/** Routes that answer with a stream that never ends. */
const STREAMS = new Set(['GET /api/v2/events']);

/** A route someone forgot to declare access for. */
@Controller('undeclared')
class UndeclaredController {
  @Get()
  open(): string {
    return 'should never be answered';
  }
}

interface Fixture {
  secrets: Partial<Record<Caller, string>>;
  requestId: number;
  workerUuid: string;
  userId: number;
  tokenId: number;
}

/** Everything one route is called against: fresh, so one cell's success cannot change another's. */
async function fixture(t: TestApp, base: Record<Caller, string | undefined>): Promise<Fixture> {
  const system = systemActor('matrix');
  const users = t.app.get(UsersService);
  const tokens = t.app.get(TokensService);
  const thisAgent = await tokens.issueAgentToken(system, null, { label: 'this' });
  const otherAgent = await tokens.issueAgentToken(system, randomUUID(), { label: 'other' });
  const registration = workerRegistration({ caps: { board: 'matrix' } });
  // The first registration binds "this" agent's token to the worker.
  await t.workers.register(registration, await actorFor(tokens, thisAgent.secret));
  const owner = await actorFor(tokens, base.owner!);
  const request = await t.requests.create({ caps: { board: 'none' }, priority: 8 }, owner);
  const victim = await users.create(system, {
    name: `victim-${randomUUID().slice(0, 8)}`,
    role: 'tester',
  });
  const victimToken = await tokens.issueUserToken(system, victim.id, { label: 'victim' });
  return {
    secrets: { ...base, agentThis: thisAgent.secret, agentOther: otherAgent.secret },
    requestId: request.id,
    workerUuid: registration.uuid,
    userId: victim.id,
    tokenId: victimToken.token.id,
  };
}

function call(route: string, f: Fixture): { method: string; path: string; body?: unknown } {
  const [method, pattern] = route.split(' ');
  const path = pattern
    .replace('/reqs/:id', `/reqs/${f.requestId}`)
    .replace('/requests/:id', `/requests/${f.requestId}`)
    .replace('/workers/:id', `/workers/${f.workerUuid}`)
    .replace('/agents/:uuid', `/agents/${f.workerUuid}`)
    .replace('/workers/:uuid', `/workers/${f.workerUuid}`)
    .replace('/users/:id', `/users/${f.userId}`)
    .replace('/tokens/:id', `/tokens/${f.tokenId}`)
    // Upstream's collection routes end in a slash.
    .replace(/^\/api\/v1\/(reqs|workers)$/, '/api/v1/$1/');
  const registration = {
    ...workerRegistration({ uuid: f.workerUuid, caps: { board: 'matrix' } }),
    agentVersion: 'matrix',
  };
  const bodies: Record<string, unknown> = {
    'POST /api/v1/reqs': { Priority: 8, Caps: { board: 'matrix-new' } },
    'POST /api/v1/reqs/:id': { Priority: 9 },
    'POST /api/v1/workers/:id/setstate': { WorkerState: 'MAINTENANCE' },
    'POST /api/v1/workers/:id/setgroups': ['matrix'],
    'POST /api/v2/agents/register': registration,
    'POST /api/v2/agents/:uuid/fail': { reason: 'matrix' },
    'POST /api/v2/users': { name: `new-${randomUUID().slice(0, 8)}`, role: 'tester' },
    'PATCH /api/v2/users/:id': { bestPriority: 9 },
    'POST /api/v2/users/:id/tokens': { label: 'matrix' },
    'POST /api/v2/agent-tokens': { label: 'matrix' },
    'POST /api/v2/requests': { caps: { board: 'matrix-new' } },
    'PATCH /api/v2/requests/:id': { priority: 9 },
    'POST /api/v2/workers/:uuid/maintenance': { message: 'matrix', drain: true },
    'PUT /api/v2/workers/:uuid/groups': { groups: ['matrix'] },
  };
  return { method, path, body: bodies[route] };
}

/** API v1 as upstream's Go client sends it (HTTP Basic from the URL); API v2 with Bearer. */
function headersFor(caller: Caller, f: Fixture, path: string): Record<string, string> {
  if (caller === 'none') return {};
  const secret = f.secrets[caller]!;
  if (path.startsWith('/api/v1/'))
    return { Authorization: `Basic ${Buffer.from(`${caller}:${secret}`).toString('base64')}` };
  return { Authorization: `Bearer ${secret}` };
}

describe.each(['none', 'tester', 'admin'] as const)(
  'role matrix with LESHY_V1_ANONYMOUS_ROLE=%s',
  (anonymousRole) => {
    const dir = tempDir();
    let t: TestApp;
    let base: Record<Caller, string | undefined>;

    beforeAll(async () => {
      t = await startTestApp({
        dataDir: dir.path,
        http: true,
        env: { LESHY_V1_ANONYMOUS_ROLE: anonymousRole, LESHY_AGENT_TOKEN: ENROLLMENT },
        extraControllers: [UndeclaredController],
      });
      const system = systemActor('matrix');
      const users = t.app.get(UsersService);
      const tokens = t.app.get(TokensService);
      const owner = await users.create(system, { name: 'owner', role: 'tester' });
      const other = await users.create(system, { name: 'other', role: 'tester' });
      const admin = await users.create(system, { name: 'boss', role: 'admin' });
      const expiring = await tokens.issueUserToken(system, owner.id, {
        label: 'expiring',
        expiresAt: new Date(t.clock.now().getTime() + 1000),
      });
      t.clock.jump(2000);
      const revoked = await tokens.issueUserToken(system, owner.id, { label: 'revoked' });
      await tokens.revoke(system, revoked.token.id);
      base = {
        none: undefined,
        bad: 'lsy_not-a-token-of-this-server-at-all-000000',
        expired: expiring.secret,
        revoked: revoked.secret,
        owner: (await tokens.issueUserToken(system, owner.id, { label: 'owner' })).secret,
        other: (await tokens.issueUserToken(system, other.id, { label: 'other' })).secret,
        admin: (await tokens.issueUserToken(system, admin.id, { label: 'admin' })).secret,
        agentThis: undefined,
        agentOther: undefined,
        enrollment: ENROLLMENT,
      };
    });

    afterAll(async () => {
      await t?.close();
      dir.remove();
    });

    it('covers exactly the routes the app serves', () => {
      const served = servedRoutes(t, [UndeclaredController]).map((r) => `${r.method} ${r.path}`);
      expect(served.sort()).toEqual(Object.keys(MATRIX).sort());
    });

    it('refuses a route that declares no access rule, whoever calls', async () => {
      const baseUrl = await t.app.getUrl();
      const callers: Array<Record<string, string>> = [
        {},
        { Authorization: `Bearer ${base.admin}` },
      ];
      for (const headers of callers) {
        const response = await rawRequest(baseUrl, 'GET', '/undeclared', { headers });
        expect(response.status).toBe(403);
        expect(response.body).toContain('declares no access rule');
      }
    });

    it.each(Object.keys(MATRIX))('%s', async (route) => {
      const baseUrl = await t.app.getUrl();
      const f = await fixture(t, base);
      const expected = MATRIX[route](anonymousRole);
      const got: Partial<Record<Caller, Outcome | number>> = {};
      for (const caller of CALLERS) {
        const { method, path, body } = call(route, f);
        const response = await rawRequest(baseUrl, method, path, {
          headers: {
            ...headersFor(caller, f, path),
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          // Streams never end: their status is all a cell needs.
          headersOnly: STREAMS.has(route),
        });
        const status = response.status;
        got[caller] = status === 401 || status === 403 ? status : status < 500 ? 'ok' : status;
        await t.settle();
      }
      expect(got).toEqual(expected);
    });
  },
);
