import { agentActor } from '../src/auth/actor';
import { AuditEventEntity } from '../src/events/audit-event.entity';
import { Transactions } from '../src/database/transactions.service';
import { requestInput } from './factories/request.factory';
import { idleWorker, workerRegistration } from './factories/worker.factory';
import { ADMIN, AGENT, TESTER, testerNamed } from './support/actors';
import { startTestAppPerSuite, TestApp } from './support/test-app';

/** Roles and ownership, as the services enforce them whatever API calls them. */
describe('who may do what (services)', () => {
  let t: TestApp;
  startTestAppPerSuite((app) => (t = app));
  const other = testerNamed('other-tester');

  async function running(board: string) {
    await idleWorker(t, { board });
    const request = await t.requests.create(requestInput({ caps: { board } }), TESTER);
    await t.settle();
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('IN PROGRESS');
    return request;
  }

  it('another tester may not update, close, acquire or prolong a request: 403, never a key', async () => {
    const request = await running('owned');
    const forbidden = { code: 'not-allowed', kind: 'forbidden' };
    await expect(t.jobs.acquire(request.id, other)).rejects.toMatchObject(forbidden);
    await expect(t.jobs.prolong(request.id, other)).rejects.toMatchObject(forbidden);
    await expect(t.requests.update(request.id, { priority: 9 }, other)).rejects.toMatchObject(
      forbidden,
    );
    await expect(t.requests.close(request.id, other)).rejects.toMatchObject(forbidden);
    await expect(t.jobs.acquire(request.id, AGENT)).rejects.toMatchObject(forbidden);
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('IN PROGRESS');
    // The owner and admins may.
    expect((await t.jobs.acquire(request.id, TESTER)).key!.privateKeyPem).toContain('RSA');
    expect((await t.jobs.acquire(request.id, ADMIN)).username).toBeTruthy();
    await t.jobs.prolong(request.id, ADMIN);
    expect((await t.requests.close(request.id, ADMIN)).state).toBe('DONE');
  });

  it('a refused acquire of a WAITING request is a 403 too, not a state error', async () => {
    const request = await t.requests.create(requestInput({ caps: { board: 'none' } }), TESTER);
    await expect(t.jobs.acquire(request.id, other)).rejects.toMatchObject({
      code: 'not-allowed',
    });
  });

  it('a priority above the user best answers 403 naming the limit', async () => {
    const limited = testerNamed('limited', [], 5);
    await expect(t.requests.create(requestInput({ priority: 4 }), limited)).rejects.toThrow(
      /priority 4 is not allowed for you: the best \(lowest number\) you may use is 5/,
    );
    const request = await t.requests.create(
      requestInput({ priority: 5, caps: { board: 'x' } }),
      limited,
    );
    await expect(t.requests.update(request.id, { priority: 2 }, limited)).rejects.toMatchObject({
      code: 'priority-not-allowed',
      kind: 'forbidden',
    });
  });

  it("a request's groups are its owner's; claiming another group is refused", async () => {
    const inLab = testerNamed('lab-member', ['lab-a']);
    const request = await t.requests.create(
      requestInput({ caps: { board: 'g' }, claimedGroups: ['lab-a'] }),
      inLab,
    );
    expect(request.ownerGroups).toEqual(['lab-a']);
    expect(request.anyGroup).toBe(false);
    const plain = await t.requests.create(requestInput({ caps: { board: 'g' } }), inLab);
    expect(plain.ownerGroups).toEqual(['lab-a']);
    await expect(
      t.requests.create(requestInput({ claimedGroups: ['lab-b'] }), inLab),
    ).rejects.toThrow(/user:lab-member is not in lab-b/);
    expect((await t.requests.create(requestInput({ caps: { board: 'g' } }), ADMIN)).anyGroup).toBe(
      true,
    );
  });

  it('groups reserve boards: a request without groups does not take a board in ["teamA"]', async () => {
    const reserved = await idleWorker(t, { board: 'reserved' }, ['teamA']);
    const outsider = await t.requests.create(requestInput({ caps: { board: 'reserved' } }), TESTER);
    await t.settle();
    expect((await t.requests.get(outsider.id, ADMIN)).request.state).toBe('WAITING');
    const member = await t.requests.create(
      requestInput({ caps: { board: 'reserved' } }),
      testerNamed('team-a-member', ['teamA']),
    );
    await t.settle();
    expect((await t.requests.get(member.id, ADMIN)).job?.workerUuid).toBe(reserved.uuid);
    await t.requests.close(member.id, ADMIN);
    await t.settle();
    await t.requests.close(outsider.id, TESTER);
    // Admins may use any board.
    const byAdmin = await t.requests.create(requestInput({ caps: { board: 'reserved' } }), ADMIN);
    await t.settle();
    expect((await t.requests.get(byAdmin.id, ADMIN)).job?.workerUuid).toBe(reserved.uuid);
  });

  it('testers and agents may not administer workers; agents speak for their own UUID only', async () => {
    const input = workerRegistration({ caps: { board: 'agents' } });
    const mine = agentActor(input.uuid, 1);
    const theirs = agentActor(workerRegistration().uuid, 2);
    await expect(t.workers.register(input, theirs)).rejects.toMatchObject({ code: 'not-allowed' });
    await expect(t.workers.register(input, TESTER)).rejects.toMatchObject({ code: 'not-allowed' });
    await t.workers.register(input, mine);
    await expect(t.workers.reportFailure(input.uuid, 'x', theirs)).rejects.toThrow(
      /belongs to worker .*: it may not report a failure of worker/,
    );
    await expect(t.workers.heartbeat(input.uuid, theirs)).rejects.toMatchObject({
      kind: 'forbidden',
    });
    expect((await t.workers.heartbeat(input.uuid, mine)).uuid).toBe(input.uuid);
    for (const actor of [TESTER, mine]) {
      await expect(t.workers.setState(input.uuid, 'IDLE', actor)).rejects.toMatchObject({
        kind: 'forbidden',
      });
      await expect(t.workers.setGroups(input.uuid, ['x'], actor)).rejects.toMatchObject({
        kind: 'forbidden',
      });
      await expect(t.workers.deregister(input.uuid, actor)).rejects.toMatchObject({
        kind: 'forbidden',
      });
    }
    await t.workers.deregister(input.uuid, ADMIN);
  });

  it('the audit log records the real actor of every change', async () => {
    const request = await t.requests.create(requestInput({ caps: { board: 'audit' } }), other);
    await t.requests.close(request.id, ADMIN);
    const rows = await t.app.get(Transactions).read((em) =>
      em.find(AuditEventEntity, {
        where: { aggregate: 'request', aggregateId: String(request.id) },
        order: { id: 'ASC' },
      }),
    );
    expect(rows.map((r) => [r.type, r.actor])).toEqual([
      ['request.created', 'user:other-tester'],
      ['request.state-changed', 'user:admin'],
    ]);
    expect(rows[1].reason).toBe('closed by an admin');
  });
});
