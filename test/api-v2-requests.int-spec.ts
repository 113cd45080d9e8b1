import * as http from 'node:http';
import { utils } from 'ssh2';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import { RequestWaiter } from '../src/requests/request-waiter';
import { ADMIN, AGENT } from './support/actors';
import { idleWorker, workerRegistration } from './factories/worker.factory';
import { startTestApp, TestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';
import { v2User, V2Client } from './support/v2-client';
import { waitFor } from './support/wait-for';

const HOUR = 3_600_000;

/** API v2's request routes over HTTP, on a real database, with fake agents. */
describe('API v2 requests', () => {
  const dir = tempDir();
  let t: TestApp;
  let alice: V2Client;
  let bob: V2Client;
  let boss: V2Client;

  beforeAll(async () => {
    t = await startTestApp({
      dataDir: dir.path,
      http: true,
      env: { LESHY_JOB_TIMEOUT: '15m' },
    });
    alice = await v2User(t, 'alice');
    bob = await v2User(t, 'bob');
    boss = await v2User(t, 'boss', 'admin');
  });
  afterAll(async () => {
    await t?.close();
    dir.remove();
  });

  const file = async (who: V2Client, body: Record<string, unknown>, headers = {}) => {
    const answer = await who.call('POST', '/api/v2/requests', body, headers);
    await t.settle();
    return answer;
  };
  const get = (who: V2Client, id: number, query = '') =>
    who.call('GET', `/api/v2/requests/${id}${query}`);

  describe('create, read, update', () => {
    it('files a request with defaults and answers it as the contract shows', async () => {
      const created = await file(alice, { caps: { board: 'nowhere' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        state: 'WAITING',
        priority: 8,
        owner: alice.name,
        groups: [],
        caps: { board: 'nowhere' },
        ownKey: false,
        job: null,
        ended: null,
      });
      expect(Object.keys(created.body).sort()).toEqual(
        [
          'id',
          'state',
          'priority',
          'owner',
          'groups',
          'caps',
          'validAfter',
          'deadline',
          'createdAt',
          'updatedAt',
          'ownKey',
          'job',
          'ended',
          'unservable',
        ].sort(),
      );
      const read = await get(bob, created.body.id);
      expect(read.status).toBe(200);
      // Written after the create: no registered worker has board=nowhere.
      expect(read.body).toEqual({
        ...created.body,
        unservable: expect.stringMatching(/no worker/),
      });
    });

    it.each([
      [{ caps: { board: 'x' }, colour: 'red' }, /property colour should not exist/],
      [{ caps: { board: 'x' }, priority: 0 }, /priority must not be less than 1/],
      [{ caps: { board: 'x' }, priority: 17 }, /priority must not be greater than 16/],
      [{ caps: { board: 'x' }, priority: 'high' }, /priority must be an integer/],
      [{}, /caps must be an object/],
      [{ caps: { board: 5 } }, /caps\.board must be a string/],
      [{ caps: { arch: [] } }, /caps\.arch must list at least one string/],
      [{ caps: { ram: { min: 'a' } } }, /caps\.ram must have numbers as min and max/],
      [{ caps: { ram: { min: 8, max: 4 } } }, /caps\.ram must have min at most max/],
      [{ caps: { rev: { not: 3 } } }, /caps\.rev must have a string or a list/],
      [{ caps: { board: 'x' }, deadline: 'tomorrow' }, /deadline must be a valid ISO 8601/],
      [{ caps: { board: 'x' }, publicKey: 'ssh-ed25519 notakey' }, /publicKey is not an OpenSSH/],
      [{ caps: { board: 'x' }, publicKey: 42 }, /publicKey must be a string/],
    ])('refuses %j naming the field', async (body, detail) => {
      const refused = await file(alice, body);
      expect(refused.status).toBe(400);
      expect(refused.header('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body.detail).toMatch(detail);
    });

    it('refuses RSA keys under 2048 bits and private keys, naming publicKey', async () => {
      const small = utils.generateKeyPairSync('rsa', { bits: 1024 });
      const refused = await file(alice, { caps: { board: 'x' }, publicKey: small.public });
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toMatch(/publicKey is an RSA key of 1024 bits; at least 2048/);
      const pair = generateEd25519KeyPair();
      const secret = await file(alice, { caps: { board: 'x' }, publicKey: pair.private });
      expect(secret.status).toBe(400);
      expect(secret.body.detail).toMatch(/^publicKey/);
    });

    it('takes ed25519, ecdsa and rsa-2048 keys (ownKey: true)', async () => {
      for (const key of [
        generateEd25519KeyPair('alice@laptop').public,
        utils.generateKeyPairSync('ecdsa', { bits: 256 }).public,
        utils.generateKeyPairSync('rsa', { bits: 2048 }).public,
      ]) {
        const created = await file(alice, { caps: { board: 'nowhere' }, publicKey: key });
        expect(created.status).toBe(201);
        expect(created.body.ownKey).toBe(true);
      }
    });

    it('passes rich caps through (any of, range, negation) and matches them', async () => {
      const worker = await idleWorker(t, { board: 'rich', arch: 'armv7', ram_gb: '8', rev: 'b' });
      const caps = {
        board: 'rich',
        arch: ['arm64', 'armv7'],
        ram_gb: { min: 4 },
        rev: { not: 'a' },
      };
      const created = await file(alice, { caps });
      expect(created.status).toBe(201);
      expect(created.body.caps).toEqual(caps);
      expect(created.body).toMatchObject({
        state: 'IN PROGRESS',
        job: { workerUuid: worker.uuid },
      });
      await alice.call('POST', `/api/v2/requests/${created.body.id}/close`);
      await t.settle();
    });

    it('refuses a priority better than the user may ask for (403 names the limit)', async () => {
      const modest = await v2User(t, 'modest', 'tester', { bestPriority: 5 });
      const refused = await file(modest, { caps: { board: 'x' }, priority: 2 });
      expect(refused.status).toBe(403);
      expect(refused.body.detail).toMatch(/the best \(lowest number\) you may use is 5/);
    });

    it('updates a WAITING request for its owner and an admin, not for others', async () => {
      const { body } = await file(alice, { caps: { board: 'nowhere' } });
      const path = `/api/v2/requests/${body.id}`;
      expect((await bob.call('PATCH', path, { priority: 9 })).status).toBe(403);
      const changed = await alice.call('PATCH', path, { priority: 9 });
      expect(changed.status).toBe(200);
      expect(changed.body.priority).toBe(9);
      expect((await boss.call('PATCH', path, { priority: 10 })).body.priority).toBe(10);
      expect((await alice.call('PATCH', path, { owner: 'bob' })).body.detail).toMatch(
        /property owner should not exist/,
      );
      await alice.call('POST', `${path}/close`);
      const late = await alice.call('PATCH', path, { priority: 9 });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('action-not-allowed-in-state');
    });

    it('answers 404 problem+json for a request that does not exist, 400 for a bad id', async () => {
      const missing = await get(alice, 987_654);
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('request-not-found');
      expect((await alice.call('GET', '/api/v2/requests/abc')).status).toBe(400);
    });
  });

  describe('list', () => {
    let mine: number[];
    let lister: V2Client;

    beforeAll(async () => {
      lister = await v2User(t, 'lister');
      mine = [];
      for (let i = 0; i < 5; i++)
        mine.push((await file(lister, { caps: { board: 'list' }, priority: 10 + i })).body.id);
    });

    it('pages with an opaque cursor through every match, once each', async () => {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `owner=${lister.name}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await lister.call('GET', `/api/v2/requests?${query}`);
        expect(page.status).toBe(200);
        expect(page.body.total).toBe(5);
        seen.push(...page.body.items.map((r: { id: number }) => r.id));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(mine);
    });

    it('filters by owner=me, state, priority and sorts', async () => {
      const newest = await lister.call('GET', '/api/v2/requests?owner=me&sort=-id&limit=1');
      expect(newest.body.items.map((r: { id: number }) => r.id)).toEqual([mine[4]]);
      const byPriority = await lister.call('GET', '/api/v2/requests?owner=me&priority=12');
      expect(byPriority.body.items.map((r: { id: number }) => r.id)).toEqual([mine[2]]);
      await lister.call('POST', `/api/v2/requests/${mine[0]}/close`);
      const waiting = await lister.call(
        'GET',
        `/api/v2/requests?owner=me&state=${encodeURIComponent('WAITING,IN PROGRESS')}`,
      );
      expect(waiting.body.total).toBe(4);
      const cancelled = await lister.call('GET', '/api/v2/requests?owner=me&state=CANCELLED');
      expect(cancelled.body.items.map((r: { id: number }) => r.id)).toEqual([mine[0]]);
      const nobody = await lister.call('GET', '/api/v2/requests?owner=no-such-user');
      expect(nobody.body).toEqual({ items: [], nextCursor: null, total: 0 });
    });

    it('filters by worker', async () => {
      const worker = await idleWorker(t, { board: 'list-worker' });
      const { body } = await file(lister, { caps: { board: 'list-worker' } });
      const found = await lister.call('GET', `/api/v2/requests?worker=${worker.uuid}`);
      expect(found.body.items.map((r: { id: number }) => r.id)).toEqual([body.id]);
      await lister.call('POST', `/api/v2/requests/${body.id}/close`);
      await t.settle();
    });

    it('refuses bad filters, cursors and a cursor of another sort, naming them', async () => {
      const bad = async (query: string, detail: RegExp) => {
        const answer = await lister.call('GET', `/api/v2/requests?${query}`);
        expect(answer.status).toBe(400);
        expect(answer.body.detail).toMatch(detail);
      };
      await bad('state=SLEEPING', /^state must list request states/);
      await bad('sort=colour', /sort must be one of/);
      await bad('limit=0', /limit must not be less than 1/);
      await bad('worker=abc', /worker must be a UUID/);
      await bad('cursor=bm90LWEtY3Vyc29y', /^cursor is not a cursor this server made/);
      await bad('colour=red', /property colour should not exist/);
      const page = await lister.call('GET', '/api/v2/requests?owner=me&limit=1');
      await bad(`sort=-id&cursor=${page.body.nextCursor}`, /cursor was made for sort=id/);
    });
  });

  describe('Idempotency-Key', () => {
    const body = { caps: { board: 'idem' }, priority: 9 };

    it('answers the same request for the same key and body, 409 for another body', async () => {
      const key = { 'Idempotency-Key': 'ci-run-1' };
      const first = await file(alice, body, key);
      expect(first.status).toBe(201);
      expect(first.header('idempotency-replayed')).toBeUndefined();
      const again = await file(alice, body, key);
      expect(again.status).toBe(201);
      expect(again.header('idempotency-replayed')).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      const other = await file(alice, { ...body, priority: 10 }, key);
      expect(other.status).toBe(409);
      expect(other.body.code).toBe('idempotency-key-reused');
      expect(other.body.detail).toContain(`filed request ${first.body.id}`);
    });

    it('keeps keys per user and for 24 hours', async () => {
      const key = { 'Idempotency-Key': 'shared-name' };
      const mine = await file(alice, body, key);
      const theirs = await file(bob, body, key);
      expect(theirs.body.id).not.toBe(mine.body.id);
      expect(theirs.header('idempotency-replayed')).toBeUndefined();
      t.clock.advance(24 * HOUR);
      const later = await file(alice, body, key);
      expect(later.status).toBe(201);
      expect(later.body.id).not.toBe(mine.body.id);
      expect(later.header('idempotency-replayed')).toBeUndefined();
    });

    it('files one request for concurrent creates with one key', async () => {
      const key = { 'Idempotency-Key': `burst-${Date.now()}` };
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => alice.call('POST', '/api/v2/requests', body, key)),
      );
      await t.settle();
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      expect(answers.filter((a) => a.header('idempotency-replayed') === 'true')).toHaveLength(7);
    });

    it('refuses a key over 255 characters', async () => {
      const refused = await file(alice, body, { 'Idempotency-Key': 'k'.repeat(256) });
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toMatch(/^Idempotency-Key must be 1 to 255 characters/);
    });
  });

  describe('waitFor', () => {
    it('answers at the timeout with the request as it is (Wait-Result: timeout)', async () => {
      const { body } = await file(alice, { caps: { board: 'wait-none' } });
      const answer = await get(alice, body.id, '?waitFor=IN_PROGRESS&timeout=1s');
      expect(answer.status).toBe(200);
      expect(answer.header('wait-result')).toBe('timeout');
      expect(answer.body.state).toBe('WAITING');
    });

    it('answers as soon as the state is reached, woken by the event', async () => {
      const { body } = await file(alice, { caps: { board: 'wait-later' } });
      const waiting = get(
        alice,
        body.id,
        `?waitFor=${encodeURIComponent('IN PROGRESS')}&timeout=5m`,
      );
      const waiter = t.app.get(RequestWaiter);
      await waitFor(async () => waiter.size > 0, 'the wait to start');
      await idleWorker(t, { board: 'wait-later' });
      const answer = await waiting;
      expect(answer.header('wait-result')).toBe('reached');
      expect(answer.body.state).toBe('IN PROGRESS');
      expect(answer.body.job.workerUuid).toBeTruthy();
      await alice.call('POST', `/api/v2/requests/${body.id}/close`);
      await t.settle();
    });

    it('answers unreachable once the request ended otherwise, and reached for a list', async () => {
      const { body } = await file(alice, { caps: { board: 'wait-cancel' } });
      const waiting = get(alice, body.id, '?waitFor=IN_PROGRESS&timeout=5m');
      const waiter = t.app.get(RequestWaiter);
      await waitFor(async () => waiter.size > 0, 'the wait to start');
      await alice.call('POST', `/api/v2/requests/${body.id}/close`);
      const answer = await waiting;
      expect(answer.header('wait-result')).toBe('unreachable');
      expect(answer.body.state).toBe('CANCELLED');
      const listed = await get(alice, body.id, '?waitFor=DONE,CANCELLED');
      expect(listed.header('wait-result')).toBe('reached');
    });

    it('forgets the wait when the client goes away', async () => {
      const { body } = await file(alice, { caps: { board: 'wait-gone' } });
      const waiter = t.app.get(RequestWaiter);
      const before = waiter.size;
      const url = new URL(await t.app.getUrl());
      const req = http.request({
        host: url.hostname,
        port: url.port,
        path: `/api/v2/requests/${body.id}?waitFor=DONE&timeout=5m`,
        headers: { Authorization: `Bearer ${alice.token}` },
      });
      req.on('error', () => undefined);
      req.end();
      await waitFor(async () => waiter.size > before, 'the wait to start');
      req.destroy();
      await waitFor(async () => waiter.size === before, 'the wait to be forgotten');
    });

    it('refuses unknown states and timeouts over 5m, naming the parameter', async () => {
      const { body } = await file(alice, { caps: { board: 'wait-bad' } });
      const state = await get(alice, body.id, '?waitFor=SLEEPING');
      expect(state.status).toBe(400);
      expect(state.body.detail).toMatch(/^waitFor must list request states/);
      const long = await get(alice, body.id, '?waitFor=DONE&timeout=10m');
      expect(long.status).toBe(400);
      expect(long.body.detail).toMatch(/^timeout must be a duration from 1s to 5m/);
    });
  });

  describe('close, acquire, prolong and how a request ended', () => {
    const running = async (who: V2Client, board: string, extra = {}) => {
      const worker = await idleWorker(t, { board });
      const { body } = await file(who, { caps: { board }, ...extra });
      expect(body.state).toBe('IN PROGRESS');
      return { worker, id: body.id as number };
    };

    it('closed by its owner: CANCELLED while waiting, DONE while running', async () => {
      const { body } = await file(alice, { caps: { board: 'end-owner' } });
      const cancelled = await alice.call('POST', `/api/v2/requests/${body.id}/close`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.state).toBe('CANCELLED');
      expect(cancelled.body.ended).toEqual({
        how: 'closed-by-owner',
        reason: 'closed by its owner',
        by: `user:${alice.name}`,
        at: expect.any(String),
      });
      const { id } = await running(alice, 'end-owner-run');
      const done = await alice.call('POST', `/api/v2/requests/${id}/close`);
      expect(done.body).toMatchObject({ state: 'DONE', ended: { how: 'closed-by-owner' } });
      expect(done.body.job.endedAt).toBe(done.body.ended.at);
      await t.settle();
    });

    it('closed by an admin, never by another tester', async () => {
      const { id } = await running(alice, 'end-admin');
      const refused = await bob.call('POST', `/api/v2/requests/${id}/close`);
      expect(refused.status).toBe(403);
      expect(refused.body.detail).toMatch(/only its owner or an admin may/);
      const closed = await boss.call('POST', `/api/v2/requests/${id}/close`);
      expect(closed.body.ended).toMatchObject({ how: 'closed-by-admin', by: `user:${boss.name}` });
      await t.settle();
    });

    it('job-timeout (after prolongs) and deadline', async () => {
      const timedOut = await running(alice, 'end-timeout');
      for (let i = 1; i <= 3; i++) {
        t.clock.advance(10 * 60_000);
        const prolonged = await alice.call('POST', `/api/v2/requests/${timedOut.id}/prolong`);
        expect(prolonged.status).toBe(200);
        expect(prolonged.body.job.prolongCount).toBe(i);
      }
      t.clock.advance(15 * 60_000);
      await waitFor(async () => (await get(alice, timedOut.id)).body.ended, 'the job timeout');
      expect((await get(alice, timedOut.id)).body.ended).toMatchObject({
        how: 'job-timeout',
        reason: 'job timeout passed without prolong',
        by: 'system:timekeeper',
      });
      await t.settle();

      const deadline = new Date(t.clock.now().getTime() + 60_000).toISOString();
      const { body } = await file(alice, { caps: { board: 'end-deadline' }, deadline });
      t.clock.advance(60_000);
      await waitFor(async () => (await get(alice, body.id)).body.ended, 'the deadline');
      const late = (await get(alice, body.id)).body;
      expect(late).toMatchObject({ state: 'TIMEOUT', ended: { how: 'deadline' } });
    });

    it('worker-failed with the worker’s reason, and invalidated', async () => {
      const { worker, id } = await running(alice, 'end-fail');
      await t.workers.reportFailure(worker.uuid, 'DUT does not boot', AGENT);
      await t.settle();
      expect((await get(alice, id)).body).toMatchObject({
        state: 'FAILED',
        ended: { how: 'worker-failed', reason: 'worker failed: DUT does not boot' },
      });

      const only = await t.workers.register(
        workerRegistration({ caps: { board: 'end-inv' } }),
        AGENT,
      );
      const { body } = await file(alice, { caps: { board: 'end-inv' } });
      await t.workers.deregister(only.uuid, ADMIN);
      await t.settle();
      expect((await get(alice, body.id)).body).toMatchObject({
        state: 'INVALID',
        ended: { how: 'invalidated', by: `user:admin` },
      });
    });

    it('acquire: the job key, or with publicKey none and the key authorized on the board', async () => {
      const plain = await running(alice, 'acq-plain');
      const access = await alice.call('POST', `/api/v2/requests/${plain.id}/acquire`);
      expect(access.status).toBe(200);
      expect(access.body).toMatchObject({
        requestId: plain.id,
        workerUuid: plain.worker.uuid,
        tunnel: { host: '127.0.0.1', port: expect.any(Number) },
        ownKey: false,
      });
      expect(access.body.privateKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
      expect((await bob.call('POST', `/api/v2/requests/${plain.id}/acquire`)).status).toBe(403);
      await alice.call('POST', `/api/v2/requests/${plain.id}/close`);

      const publicKey = generateEd25519KeyPair('alice@laptop').public.trim();
      const own = await running(alice, 'acq-own', { publicKey });
      const authorized = t.dryad.countOf('authorize', own.worker.uuid);
      const mine = await alice.call('POST', `/api/v2/requests/${own.id}/acquire`);
      expect(mine.body).toMatchObject({ ownKey: true, privateKey: null });
      expect(t.dryad.countOf('authorize', own.worker.uuid)).toBe(authorized + 1);
      expect(t.dryad.calls.at(-1)).toMatchObject({ operation: 'authorize', argument: publicKey });

      t.dryad.failing.set(own.worker.uuid, 'agent unreachable');
      const refused = await alice.call('POST', `/api/v2/requests/${own.id}/acquire`);
      t.dryad.failing.delete(own.worker.uuid);
      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe('own-key-not-authorized');
      await alice.call('POST', `/api/v2/requests/${own.id}/close`);
      await t.settle();
    });

    it('prepares the board again with a job key nobody got, with a fresh one once handed out', async () => {
      const publicKey = generateEd25519KeyPair('alice@laptop').public.trim();
      const own = await running(alice, 'recycle', { publicKey });
      const uuid = own.worker.uuid;
      const prepared = () =>
        t.dryad.calls
          .filter((c) => c.operation === 'prepare' && c.uuid === uuid)
          .map((c) => c.argument);
      const cycle = async (body: object, acquire: (id: number) => Promise<void>) => {
        const before = prepared();
        const { body: request } = await file(alice, { caps: { board: 'recycle' }, ...body });
        expect(request.job.workerUuid).toBe(uuid);
        await acquire(request.id);
        await alice.call('POST', `/api/v2/requests/${request.id}/close`);
        await t.settle();
        const after = prepared();
        expect(after).toHaveLength(before.length + 1);
        return after.at(-1) === before.at(-1) ? 'same key' : 'fresh key';
      };
      await alice.call('POST', `/api/v2/requests/${own.id}/close`);
      await t.settle();
      const v2Acquire = async (id: number) => {
        expect((await alice.call('POST', `/api/v2/requests/${id}/acquire`)).status).toBe(200);
      };
      const v1Acquire = async (id: number) => {
        const access = await t.jobs.acquire(id, ADMIN);
        expect(access.key?.privateKeyPem).toMatch(/RSA PRIVATE KEY/);
      };
      // Own key, acquired on API v2: the job key never left the server.
      expect(await cycle({ publicKey }, v2Acquire)).toBe('same key');
      // Own key, never acquired.
      expect(await cycle({ publicKey }, async () => undefined)).toBe('same key');
      // No own key: acquire hands the job key out.
      expect(await cycle({}, v2Acquire)).toBe('fresh key');
      // Own key, but acquired on API v1, whose answer always carries the job key.
      expect(await cycle({ publicKey }, v1Acquire)).toBe('fresh key');
    });

    it('acquire and prolong of a request without a running job: 409 worker-not-assigned', async () => {
      const { body } = await file(alice, { caps: { board: 'no-job' } });
      for (const action of ['acquire', 'prolong']) {
        const refused = await alice.call('POST', `/api/v2/requests/${body.id}/${action}`);
        expect(refused.status).toBe(409);
        expect(refused.body.code).toBe('worker-not-assigned');
      }
    });
  });

  describe('idle', () => {
    const idleDir = tempDir();
    let idleApp: TestApp;
    afterAll(() => idleDir.remove());

    it('a job nobody uses ends as idle', async () => {
      idleApp = await startTestApp({
        dataDir: idleDir.path,
        http: true,
        env: { LESHY_IDLE_JOB_TIMEOUT: '10m', LESHY_JOB_TIMEOUT: '1h' },
      });
      const carol = await v2User(idleApp, 'carol');
      await idleWorker(idleApp, { board: 'end-idle' });
      const { body } = await carol.call('POST', '/api/v2/requests', {
        caps: { board: 'end-idle' },
      });
      await idleApp.settle();
      expect(body.state).toBe('IN PROGRESS');
      idleApp.clock.advance(10 * 60_000);
      const read = () => carol.call('GET', `/api/v2/requests/${body.id}`);
      await waitFor(async () => (await read()).body.ended, 'the idle timeout');
      expect((await read()).body).toMatchObject({
        state: 'DONE',
        ended: { how: 'idle', by: 'system:timekeeper' },
      });
    });

    it('answers open waits when the server stops, so they do not hold the shutdown up', async () => {
      const carol = await v2User(idleApp, 'carol');
      const { body } = await carol.call('POST', '/api/v2/requests', { caps: { board: 'none' } });
      const waiting = carol.call('GET', `/api/v2/requests/${body.id}?waitFor=DONE&timeout=5m`);
      const waiter = idleApp.app.get(RequestWaiter);
      await waitFor(async () => waiter.size > 0, 'the wait to start');
      const closing = idleApp.close();
      const answer = await waiting;
      await closing;
      expect(answer.status).toBe(200);
      expect(answer.header('wait-result')).toBe('timeout');
      expect(answer.body.state).toBe('WAITING');
      expect(waiter.size).toBe(0);
    });
  });
});
