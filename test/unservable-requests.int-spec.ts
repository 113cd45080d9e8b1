import { Logger } from '@nestjs/common';
import { UnservableNotes } from '../src/matcher/unservable-notes.service';
import { requestInput } from './factories/request.factory';
import { workerRegistration } from './factories/worker.factory';
import { startTestAppPerSuite, TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';
import { ADMIN, AGENT, TESTER, testerNamed } from './support/actors';

/**
 * A request no registered worker can serve is accepted (as upstream), but logged and noted;
 * the note goes once a worker that can serve it registers or changes.
 */
describe('requests that no registered worker can serve', () => {
  let t: TestApp;
  let notes: UnservableNotes;
  startTestAppPerSuite((app) => {
    t = app;
    notes = app.app.get(UnservableNotes);
  });
  afterEach(() => jest.restoreAllMocks());

  const noted = (id: number) =>
    waitFor(() => notes.noteOf(id), `request ${id} to get its unservable note`);

  it('caps no worker has: accepted, logged, noted; a worker with them clears the note', async () => {
    await t.workers.register(workerRegistration({ caps: { board: 'rpi4' } }), AGENT);
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const request = await t.requests.create(
      requestInput({ caps: { board: 'odroid-xu4' } }),
      TESTER,
    );
    expect(request.state).toBe('WAITING');
    expect(await noted(request.id)).toBe(
      'no registered worker has the caps {"board":"odroid-xu4"}: it waits until one registers or its deadline passes',
    );
    expect(warn.mock.calls.map(([line]) => String(line))).toContainEqual(
      expect.stringMatching(
        new RegExp(`^request ${request.id}: accepted, but no registered worker has the caps`),
      ),
    );

    await t.workers.register(workerRegistration({ caps: { board: 'odroid-xu4' } }), AGENT);
    await waitFor(async () => (await notes.noteOf(request.id)) === null, 'the note to be cleared');
  });

  it('groups no worker with the caps is in: noted; the worker joining the group clears it', async () => {
    const { uuid } = await t.workers.register(
      workerRegistration({ caps: { board: 'grouped' } }),
      AGENT,
    );
    await t.workers.setGroups(uuid, ['lab-a'], ADMIN);
    const request = await t.requests.create(
      requestInput({ caps: { board: 'grouped' } }),
      testerNamed('lab-b tester', ['lab-b']),
    );
    expect(await noted(request.id)).toMatch(
      /^no registered worker with the caps \{"board":"grouped"\} is in the groups \["lab-b"\]/,
    );
    await t.workers.setGroups(uuid, ['lab-a', 'lab-b'], ADMIN);
    await waitFor(async () => (await notes.noteOf(request.id)) === null, 'the note to be cleared');
  });

  it('a servable request gets no note', async () => {
    await t.workers.register(workerRegistration({ caps: { board: 'plenty' } }), AGENT);
    const request = await t.requests.create(requestInput({ caps: { board: 'plenty' } }), TESTER);
    await t.settle();
    expect(await notes.noteOf(request.id)).toBeNull();
  });
});
