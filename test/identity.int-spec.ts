import { systemActor } from '../src/auth/actor';
import { TokensService } from '../src/auth/tokens.service';
import { UsersService } from '../src/auth/users.service';
import { ADMIN, TESTER } from './support/actors';
import { v2Caller } from './support/api-v2-client';
import { startTestApp, TestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';

const ADMIN_TOKEN = 'unattended-install-admin-token-0123456789';

/** Users and tokens through their services, and LESHY_ADMIN_TOKEN across restarts. */
describe('users and tokens', () => {
  const dir = tempDir();
  let t: TestApp;
  let users: UsersService;
  let tokens: TokensService;
  const start = async () => {
    t = await startTestApp({
      dataDir: dir.path,
      http: true,
      env: { LESHY_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    users = t.app.get(UsersService);
    tokens = t.app.get(TokensService);
  };

  beforeAll(start);
  afterAll(async () => {
    await t?.close();
    dir.remove();
  });

  it('makes LESHY_ADMIN_TOKEN the token of admin "admin" at start-up, once', async () => {
    const actor = await tokens.authenticate(ADMIN_TOKEN);
    expect(actor).toMatchObject({ kind: 'user', role: 'admin', label: 'user:admin' });
    await t.close();
    await start();
    expect((await tokens.list(ADMIN)).filter((k) => k.label === 'LESHY_ADMIN_TOKEN')).toHaveLength(
      1,
    );
    expect((await tokens.authenticate(ADMIN_TOKEN)).role).toBe('admin');
  });

  it('issues tokens shown once: stored hashed, listed without secrets', async () => {
    const alice = await users.create(ADMIN, { name: 'alice', role: 'tester', groups: ['b', 'a'] });
    expect(alice).toMatchObject({ groups: ['a', 'b'], bestPriority: 8 });
    const issued = await tokens.issueUserToken(ADMIN, alice.id, { label: 'ci' });
    expect(issued.secret).toMatch(/^lsy_[A-Za-z0-9_-]{43}$/);
    const listed = JSON.stringify(await tokens.list(ADMIN, { userId: alice.id }));
    expect(listed).not.toContain(issued.secret);
    expect(listed).not.toContain('secretHash');
    expect(await tokens.authenticate(issued.secret)).toMatchObject({
      label: 'user:alice',
      groups: ['a', 'b'],
      bestPriority: 8,
    });
  });

  it('refuses expired and revoked tokens, saying which', async () => {
    const bob = await users.create(ADMIN, { name: 'bob', role: 'tester' });
    const soon = await tokens.issueUserToken(ADMIN, bob.id, {
      label: 'soon',
      expiresAt: new Date(t.clock.now().getTime() + 60_000),
    });
    await tokens.authenticate(soon.secret);
    t.clock.jump(61_000);
    await expect(tokens.authenticate(soon.secret)).rejects.toThrow(/the token expired at/);
    const revoked = await tokens.issueUserToken(ADMIN, bob.id, { label: 'gone' });
    await tokens.revoke(ADMIN, revoked.token.id);
    await expect(tokens.authenticate(revoked.secret)).rejects.toThrow(/the token was revoked at/);
    await expect(
      tokens.issueUserToken(ADMIN, bob.id, {
        label: 'past',
        expiresAt: new Date(t.clock.now().getTime() - 1),
      }),
    ).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('sees a revocation, a change of the user and their deletion at the next call, though it keeps lookups for a second', async () => {
    const dave = await users.create(ADMIN, { name: 'dave', role: 'tester', groups: ['a'] });
    const first = await tokens.issueUserToken(ADMIN, dave.id, { label: 'one' });
    const second = await tokens.issueUserToken(ADMIN, dave.id, { label: 'two' });
    // Looked up, so kept: what follows must not answer from what was kept.
    expect(await tokens.authenticate(first.secret)).toMatchObject({ groups: ['a'] });
    expect(await tokens.authenticate(second.secret)).toMatchObject({ role: 'tester' });
    await tokens.revoke(ADMIN, first.token.id);
    await expect(tokens.authenticate(first.secret)).rejects.toThrow(/the token was revoked at/);
    await users.update(ADMIN, dave.id, { groups: ['b'], role: 'admin' });
    expect(await tokens.authenticate(second.secret)).toMatchObject({ role: 'admin' });
    await users.update(ADMIN, dave.id, { role: 'tester' });
    expect(await tokens.authenticate(second.secret)).toMatchObject({ groups: ['b'] });
    await users.delete(ADMIN, dave.id);
    await expect(tokens.authenticate(second.secret)).rejects.toMatchObject({
      kind: 'unauthenticated',
    });
  });

  it('records when a token was last used', async () => {
    const carol = await users.create(ADMIN, { name: 'carol', role: 'tester' });
    const issued = await tokens.issueUserToken(ADMIN, carol.id, { label: 'laptop' });
    await tokens.authenticate(issued.secret);
    await t.settle();
    const [token] = await tokens.list(ADMIN, { userId: carol.id });
    expect(token.lastUsedAt?.getTime()).toBe(t.clock.now().getTime());
  });

  it('deletes a user with their tokens, and keeps the last admin', async () => {
    const dave = await users.create(ADMIN, { name: 'dave', role: 'tester' });
    const issued = await tokens.issueUserToken(ADMIN, dave.id, { label: 'x' });
    await users.delete(ADMIN, dave.id);
    await expect(tokens.authenticate(issued.secret)).rejects.toMatchObject({
      kind: 'unauthenticated',
    });
    await expect(users.create(ADMIN, { name: 'alice', role: 'admin' })).rejects.toMatchObject({
      code: 'user-name-taken',
    });
    const [admin] = (await users.list(ADMIN)).filter((u) => u.role === 'admin');
    await expect(users.update(ADMIN, admin.id, { role: 'tester' })).rejects.toMatchObject({
      code: 'last-admin',
    });
    await expect(users.delete(ADMIN, admin.id)).rejects.toMatchObject({ code: 'last-admin' });
  });

  it('lets only admins manage users and tokens', async () => {
    await expect(users.create(TESTER, { name: 'eve', role: 'admin' })).rejects.toMatchObject({
      kind: 'forbidden',
    });
    await expect(tokens.list(TESTER)).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(tokens.issueAgentToken(TESTER, null, { label: 'x' })).rejects.toMatchObject({
      kind: 'forbidden',
    });
  });

  it('refuses LESHY_ADMIN_TOKEN for a name that is a tester, and a revoked one stays revoked', async () => {
    const system = systemActor('start-up');
    await users.create(ADMIN, { name: 'frank', role: 'tester' });
    await expect(users.ensureAdminToken(system, 'frank', 'f'.repeat(40))).rejects.toThrow(
      /user frank exists and is not an admin/,
    );
    const [own] = (await tokens.list(ADMIN)).filter((k) => k.label === 'LESHY_ADMIN_TOKEN');
    await tokens.revoke(ADMIN, own.id);
    expect(await users.ensureAdminToken(system, 'admin', ADMIN_TOKEN)).toMatch(/stays revoked/);
    await expect(tokens.authenticate(ADMIN_TOKEN)).rejects.toThrow(/revoked/);
  });

  it('bootstraps an admin only on a server without one', async () => {
    await expect(users.bootstrapAdmin(systemActor('bootstrap'), 'root')).rejects.toThrow(
      /this server has an admin already \(admin\)/,
    );
  });

  it('keeps one live agent token per worker', async () => {
    const uuid = '7d5e3c1a-9b8f-4e6d-a2c4-b6d8f0e2a4c6';
    const first = await tokens.issueAgentToken(ADMIN, uuid, { label: 'board' });
    await expect(tokens.issueAgentToken(ADMIN, uuid, { label: 'again' })).rejects.toMatchObject({
      code: 'worker-has-agent-token',
    });
    await tokens.revoke(ADMIN, first.token.id);
    await tokens.issueAgentToken(ADMIN, uuid, { label: 'replacement' });
  });

  it('changes a user over HTTP: role, groups, best priority; never the name, never out of bounds', async () => {
    const root = await v2Caller(t, await t.app.getUrl(), 'patch-root', 'admin');
    const { body: user } = await root.call<{ id: number }>('POST', '/api/v2/users', {
      name: 'patched',
      role: 'tester',
    });
    const path = `/api/v2/users/${user.id}`;
    const changed = await root.call('PATCH', path, { groups: ['lab-a'], bestPriority: 4 });
    expect(changed).toMatchObject({
      status: 200,
      body: { name: 'patched', role: 'tester', groups: ['lab-a'], bestPriority: 4 },
    });
    expect((await root.call('PATCH', path, { role: 'admin' })).body).toMatchObject({
      role: 'admin',
      bestPriority: 4,
    });
    const renamed = await root.call<{ detail: string }>('PATCH', path, { name: 'other' });
    expect(renamed.status).toBe(400);
    expect(renamed.body.detail).toMatch(/property name should not exist/);
    const tooGood = await root.call<{ detail: string }>('PATCH', path, { bestPriority: 0 });
    expect(tooGood.status).toBe(400);
    expect(tooGood.body.detail).toMatch(/bestPriority/);
  });
});
