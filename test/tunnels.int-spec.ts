import { TESTER, ADMIN } from './support/actors';
import { TunnelOfEndedJobError } from '../src/jobs/job.errors';
import { TunnelService } from '../src/jobs/tunnel.service';
import { WorkerNotAssignedError } from '../src/requests/request.errors';
import { requestInput } from './factories/request.factory';
import { idleWorker } from './factories/worker.factory';
import { startTestApp, TestApp } from './support/test-app';
import { refusesConnections } from './support/tcp-probe';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

/**
 * A job's tunnel must not outlive the job, also when the job ends while its tunnel is being
 * opened. The races are made deterministic: the close commits (and its job.ended handler runs)
 * right before the real TunnelService.open does its work.
 */
describe('job tunnels and the end of their job', () => {
  const dir = tempDir();
  let t: TestApp;
  let tunnels: TunnelService;

  beforeAll(async () => {
    t = await startTestApp({ dataDir: dir.path });
    tunnels = t.app.get(TunnelService);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  /** The next tunnels.open() first closes its request; resolves with the port it then opened. */
  function closeJustBeforeNextOpen(): Promise<number> {
    const realOpen = tunnels.open.bind(tunnels);
    return new Promise((resolve) => {
      jest.spyOn(tunnels, 'open').mockImplementationOnce(async (id, target, preferredPort) => {
        await t.requests.close(id, TESTER);
        const opened = await realOpen(id, target, preferredPort);
        resolve(opened.port);
        return opened;
      });
    });
  }

  async function createMatched(board: string): Promise<number> {
    await idleWorker(t, { board });
    const { id } = await t.requests.create(requestInput({ caps: { board } }), TESTER);
    await t.settle();
    return id;
  }

  it('acquire racing a close leaves no tunnel open and reports the job gone', async () => {
    const id = await createMatched('race-acquire');
    // Once acquire answers, job.started has opened the job's own tunnel.
    expect((await t.jobs.acquire(id, TESTER)).tunnel.port).toBeGreaterThan(0);
    const reopened = closeJustBeforeNextOpen();

    await expect(t.jobs.acquire(id, TESTER)).rejects.toBeInstanceOf(WorkerNotAssignedError);
    expect((await t.requests.get(id, ADMIN)).request.state).toBe('DONE');
    expect(tunnels.isOpen(id)).toBe(false);
    expect(await refusesConnections(await reopened)).toBe(true);
  });

  it('a job that ends before job.started has opened its tunnel gets none, on its reserved port or any', async () => {
    const realOpen = tunnels.open.bind(tunnels);
    const outcome = new Promise<{ port: number | null; refused: unknown }>((resolve) => {
      jest.spyOn(tunnels, 'open').mockImplementationOnce(async (id, target, preferredPort) => {
        await t.requests.close(id, TESTER);
        try {
          return await realOpen(id, target, preferredPort);
        } catch (error) {
          resolve({ port: preferredPort, refused: error });
          throw error;
        }
      });
    });
    const id = await createMatched('race-start');
    const { port, refused } = await outcome;

    expect(refused).toBeInstanceOf(TunnelOfEndedJobError);
    expect((await t.requests.get(id, ADMIN)).request.state).toBe('DONE');
    expect(tunnels.isOpen(id)).toBe(false);
    // The port reserved when the job started is not left listening either.
    expect(port).toEqual(expect.any(Number));
    await waitFor(() => refusesConnections(port!), `port ${port} to refuse connections`);
  });
});
