import { randomUUID } from 'node:crypto';
import { ADMIN } from './support/actors';
import { V2Caller, v2Caller } from './support/api-v2-client';
import { requestInput } from './factories/request.factory';
import { FakeAgent } from './support/fake-agent';
import { SshTestApp, startSshTestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

const TOKEN = 'maintenance-drain-ssh-int-token';

interface WorkerJson {
  state: string;
  maintenance: { message: string | null; drain: boolean } | null;
}

/**
 * Maintenance through API v2 with agents over real SSH: the admin's message reaches the
 * agent's display command word for word, and with drain the running job finishes first (the
 * board is not prepared for anyone else meanwhile) before the agent is told.
 */
describe('maintenance with a message and drain, agents over SSH', () => {
  const dir = tempDir();
  let t: SshTestApp;
  let admin: V2Caller<WorkerJson>;
  let alice: V2Caller;
  const agents: FakeAgent[] = [];

  beforeAll(async () => {
    t = await startSshTestApp({
      dataDir: dir.path,
      env: { LESHY_AGENT_TOKEN: TOKEN, LESHY_DRYAD_TIMEOUT: '5s' },
    });
    admin = await v2Caller(t, t.baseUrl, 'root', 'admin');
    alice = await v2Caller(t, t.baseUrl, 'alice', 'tester');
  });
  afterAll(async () => {
    for (const agent of agents) await agent.stop();
    await t.close();
    dir.remove();
  });

  const stateOf = async (uuid: string) => (await t.workers.get(uuid)).state;
  const untilState = (uuid: string, state: string) =>
    waitFor(async () => (await stateOf(uuid)) === state, `worker ${uuid} to be ${state}`);

  /** An agent over SSH whose worker runs a job of alice's. */
  async function runningAgent(board: string) {
    const agent = await FakeAgent.start({
      serverUrl: t.baseUrl,
      agentToken: TOKEN,
      uuid: randomUUID(),
      caps: { board },
    });
    agents.push(agent);
    await agent.register();
    expect((await admin.call('POST', `/api/v2/workers/${agent.uuid}/idle`)).status).toBe(200);
    await untilState(agent.uuid, 'IDLE');
    const request = await t.requests.create(requestInput({ caps: { board } }), alice.actor);
    await t.settle();
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('IN PROGRESS');
    expect(agent.jobKey).not.toBeNull();
    return { agent, request };
  }

  it('drain: the job runs to its end, then the board shows the message', async () => {
    const { agent, request } = await runningAgent('drain-ssh');
    const message = 'PSU "B" swap \\ back at 14:00';
    const ordered = await admin.call('POST', `/api/v2/workers/${agent.uuid}/maintenance`, {
      message,
      drain: true,
    });
    expect(ordered.status).toBe(200);
    expect(ordered.body).toMatchObject({ state: 'RUNNING', maintenance: { message, drain: true } });
    await t.settle();
    // Nothing told to the agent yet: the tester keeps the board.
    expect(agent.maintenance.active).toBe(false);
    expect(agent.jobKey).not.toBeNull();
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('IN PROGRESS');

    const prepares = agent.prepares;
    const next = await t.requests.create(
      requestInput({ caps: { board: 'drain-ssh' } }),
      alice.actor,
    );
    const shown = new Promise<string>((resolve) => agent.once('maintenance', resolve));
    await t.requests.close(request.id, alice.actor);
    expect(await shown).toBe(message);
    await untilState(agent.uuid, 'MAINTENANCE');
    await t.settle();
    expect(agent.maintenance).toEqual({ active: true, message });
    expect(agent.jobKey).toBeNull();
    expect(agent.prepares).toBe(prepares);
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('DONE');
    expect((await t.requests.get(next.id, ADMIN)).request.state).toBe('WAITING');
  });

  it('no drain: the running job fails at once and the board shows the message', async () => {
    const { agent, request } = await runningAgent('now-ssh');
    const shown = new Promise<string>((resolve) => agent.once('maintenance', resolve));
    const ordered = await admin.call('POST', `/api/v2/workers/${agent.uuid}/maintenance`, {
      message: 'new SD card',
    });
    expect(ordered.status).toBe(200);
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('FAILED');
    expect(await shown).toBe('new SD card');
    await untilState(agent.uuid, 'MAINTENANCE');
    expect(agent.maintenance).toEqual({ active: true, message: 'new SD card' });
  });
});
