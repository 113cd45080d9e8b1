import { DataSource } from 'typeorm';
import { InvalidInputError } from '../src/common/domain-error';
import { UnservableNotes } from '../src/matcher/unservable-notes.service';
import { requestInput } from './factories/request.factory';
import { idleWorker, workerRegistration } from './factories/worker.factory';
import { ADMIN, AGENT, TESTER } from './support/actors';
import { v1Json } from './support/http-client';
import { startTestApp, startTestAppPerSuite, TestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

/**
 * Caps beyond exact equality (docs/caps.md), through RequestsService as API v2 files them:
 * matched, stored canonical, checked by every "can this worker serve it" (job start, INVALID,
 * unservable notes), and shown on API v1, which itself still files exact caps only.
 */
describe('rich caps: any of, ranges and negations', () => {
  let t: TestApp;
  startTestAppPerSuite((app) => (t = app), { http: true });
  const v1 = async (method: string, path: string, body?: unknown) =>
    v1Json(await t.app.getUrl(), method, path, body);

  const stateOf = async (id: number) => (await t.requests.get(id, ADMIN)).request.state;
  const workerOf = async (id: number) => (await t.requests.get(id, ADMIN)).job?.workerUuid;
  const storedCaps = async (id: number): Promise<string> => {
    const [row] = await t.app
      .get(DataSource)
      .query(`SELECT caps FROM requests WHERE id = ${Number(id)}`);
    return row.caps as string;
  };

  it('a rich ask takes the one idle worker that satisfies every rule, at create', async () => {
    await idleWorker(t, { board: 'rc-a', ram_gb: '2' }); // too little RAM
    await idleWorker(t, { board: 'rc-a', ram_gb: '8', rev: 'old' }); // the excluded revision
    await idleWorker(t, { board: 'rc-c', ram_gb: '8' }); // not one of the boards
    const fits = await idleWorker(t, { board: 'rc-b', ram_gb: '8', rev: 'new' });
    await t.settle();
    const created = await t.requests.create(
      requestInput({
        caps: { board: ['rc-b', 'rc-a'], ram_gb: { min: 4 }, rev: { not: 'old' } },
      }),
      TESTER,
    );
    expect(created.state).toBe('IN PROGRESS');
    expect(await workerOf(created.id)).toBe(fits.uuid);
    // Stored in its canonical form: keys and lists sorted, bounds in order.
    expect(await storedCaps(created.id)).toBe(
      '{"board":["rc-a","rc-b"],"ram_gb":{"min":4},"rev":{"not":"old"}}',
    );
  });

  it('a waiting rich ask is matched by the pass when a worker that satisfies it becomes idle', async () => {
    const request = await t.requests.create(
      requestInput({ caps: { board: 'rc-late', ram_gb: { min: 2, max: 4 } } }),
      TESTER,
    );
    await t.settle();
    expect(await stateOf(request.id)).toBe('WAITING');
    await idleWorker(t, { board: 'rc-late', ram_gb: '16' });
    await t.settle();
    expect(await stateOf(request.id)).toBe('WAITING');
    const fits = await idleWorker(t, { board: 'rc-late', ram_gb: '4' });
    await t.settle();
    expect(await stateOf(request.id)).toBe('IN PROGRESS');
    expect(await workerOf(request.id)).toBe(fits.uuid);
  });

  it('a missing cap satisfies a negation', async () => {
    const plain = await idleWorker(t, { board: 'rc-not' });
    await t.settle();
    const created = await t.requests.create(
      requestInput({ caps: { board: 'rc-not', display: { not: ['broken', 'dim'] } } }),
      TESTER,
    );
    expect(created.state).toBe('IN PROGRESS');
    expect(await workerOf(created.id)).toBe(plain.uuid);
  });

  it('refuses a broken rule with an InvalidInputError naming the key and the rule', async () => {
    const refused = t.requests.create(
      requestInput({ caps: { board: 'rc-a', ram_gb: { min: 8, max: 4 } } }),
      TESTER,
    );
    await expect(refused).rejects.toThrow(InvalidInputError);
    await expect(refused).rejects.toThrow('caps.ram_gb: min 8 is above max 4');
  });

  it('notes a request no registered worker can serve, naming the cap and its rule', async () => {
    await t.workers.register(
      workerRegistration({ caps: { board: 'rc-note', ram_gb: '2' } }),
      AGENT,
    );
    const request = await t.requests.create(
      requestInput({ caps: { board: 'rc-note', ram_gb: { min: 64 } } }),
      TESTER,
    );
    const notes = t.app.get(UnservableNotes);
    expect(await waitFor(() => notes.noteOf(request.id), 'the unservable note')).toBe(
      'no registered worker has the caps {"board":"rc-note","ram_gb":{"min":64}} (none has ram_gb a number ≥ 64): it waits until one registers or its deadline passes',
    );
    await t.workers.register(
      workerRegistration({ caps: { board: 'rc-note', ram_gb: '128' } }),
      AGENT,
    );
    await waitFor(async () => (await notes.noteOf(request.id)) === null, 'the note to go');
  });

  it('a caps change invalidates a rich ask only the worker satisfied, and only that', async () => {
    const worker = workerRegistration({ caps: { board: 'rc-shift', ram_gb: '16' } });
    await t.workers.register(worker, AGENT);
    const later = new Date(t.clock.now().getTime() + 60_000);
    const big = await t.requests.create(
      requestInput({ caps: { board: 'rc-shift', ram_gb: { min: 12 } }, validAfter: later }),
      TESTER,
    );
    const any = await t.requests.create(
      requestInput({ caps: { board: ['rc-shift', 'rc-x'] }, validAfter: later }),
      TESTER,
    );
    await t.workers.register({ ...worker, caps: { board: 'rc-shift', ram_gb: '8' } }, AGENT);
    expect(await stateOf(big.id)).toBe('INVALID');
    expect(await stateOf(any.id)).toBe('WAITING');
    // Re-registered: BUSY until its check is over, then back in MAINTENANCE.
    await waitFor(
      async () => (await t.workers.get(worker.uuid)).state === 'MAINTENANCE',
      'the worker to be back in MAINTENANCE',
    );
    await t.workers.deregister(worker.uuid, ADMIN);
    expect(await stateOf(any.id)).toBe('INVALID');
  });

  describe('on API v1', () => {
    it('still files exact caps only, refusing anything else with upstream decoder message', async () => {
      for (const [caps, type] of [
        [{ board: ['rc-a', 'rc-b'] }, 'array'],
        [{ ram_gb: { min: 4 } }, 'object'],
        [{ ram_gb: 4 }, 'number'],
      ] as const) {
        const response = await v1('POST', '/api/v1/reqs/', {
          Priority: 8,
          Caps: caps,
        });
        expect(response.status).toBe(400);
        expect(JSON.parse(response.body)).toEqual({
          message: `invalid request: json: cannot unmarshal ${type} into Go struct field ReqInfo.Caps of type string`,
        });
      }
    });

    it('keeps the message of the one caps rule RequestsService checks for it', async () => {
      const response = await v1('POST', '/api/v1/reqs/', { Priority: 8, Caps: { '': 'x' } });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({
        message: 'invalid request: caps has an empty key',
      });
    });

    it('shows a rich cap as the JSON text of its v2 form, exact caps as they are', async () => {
      const request = await t.requests.create(
        requestInput({
          caps: { board: 'rc-v1', arch: ['armv7', 'arm64'], ram_gb: { max: 8, min: 2 } },
        }),
        TESTER,
      );
      const response = await v1('GET', `/api/v1/reqs/${request.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toContain(
        '"Caps":{"arch":"[\\"arm64\\",\\"armv7\\"]","board":"rc-v1","ram_gb":"{\\"min\\":2,\\"max\\":8}"}',
      );
      // What upstream's Go client decodes into map[string]string.
      expect(JSON.parse(response.body).Caps).toEqual({
        arch: '["arm64","armv7"]',
        board: 'rc-v1',
        ram_gb: '{"min":2,"max":8}',
      });
      const list = await v1('POST', '/api/v1/reqs/list', '');
      const listed = (JSON.parse(list.body) as Array<{ ID: number; Caps: unknown }>).find(
        (r) => r.ID === request.id,
      );
      expect(listed?.Caps).toEqual(JSON.parse(response.body).Caps);
    });

    it('shows a request it filed exactly as before', async () => {
      const created = await v1('POST', '/api/v1/reqs/', {
        Priority: 8,
        Caps: { board: 'rc-v1-exact', arch: 'arm64' },
      });
      expect(created.status).toBe(201);
      const id = JSON.parse(created.body).ReqID as number;
      expect(await storedCaps(id)).toBe('{"arch":"arm64","board":"rc-v1-exact"}');
      const response = await v1('GET', `/api/v1/reqs/${id}`);
      expect(response.body).toContain('"Caps":{"arch":"arm64","board":"rc-v1-exact"}');
    });
  });
});

describe('rich caps after a restart', () => {
  const dir = tempDir();
  let second: TestApp | undefined;
  afterAll(async () => {
    await second?.close();
    dir.remove();
  });

  it('the matcher loads a waiting rich ask from the database and matches it', async () => {
    const first = await startTestApp({ dataDir: dir.path });
    const wrong = await idleWorker(first, { board: 'rr', ram_gb: '2' });
    const request = await first.requests.create(
      requestInput({ caps: { board: ['rr', 'rr-x'], ram_gb: { min: 4 }, rev: { not: 'a' } } }),
      TESTER,
    );
    await first.settle();
    expect(request.state).toBe('WAITING');
    const fits = workerRegistration({ caps: { board: 'rr', ram_gb: '8' } });
    await first.workers.register(fits, AGENT);
    await first.close();

    second = await startTestApp({ dataDir: dir.path });
    await second.settle();
    expect((await second.requests.get(request.id, ADMIN)).request.state).toBe('WAITING');
    await second.workers.setState(fits.uuid, 'IDLE', ADMIN);
    await waitFor(
      async () => (await second!.requests.get(request.id, ADMIN)).job?.workerUuid === fits.uuid,
      'the rich ask to be matched after the restart',
    );
    expect((await second.workers.get(wrong.uuid)).state).toBe('IDLE');
  });
});
