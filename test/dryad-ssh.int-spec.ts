import { ADMIN, TESTER } from './support/actors';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { CONTROL_USER } from 'dryad-agent/protocol';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import { dryadTarget } from '../src/dryad/dryad-target';
import { DryadPort } from '../src/dryad/dryad.port';
import { requestInput } from './factories/request.factory';
import { bringToIdle, FakeAgent, FakeAgentOptions } from './support/fake-agent';
import { SshTestApp, startSshTestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

/**
 * The server's SSH driver against agents that answer over real SSH on 127.0.0.1: what it does
 * when a connection drops, when an agent stops answering, when a host key changes.
 */
const TOKEN = 'dryad-ssh-int-token';
// Boards are set IDLE over API v1 without credentials: anonymous callers are admins here.
const ENV = {
  LESHY_AGENT_TOKEN: TOKEN,
  LESHY_DRYAD_TIMEOUT: '3s',
  LESHY_V1_ANONYMOUS_ROLE: 'admin',
};
const agents: FakeAgent[] = [];
afterAll(() => Promise.all(agents.map((agent) => agent.stop())));

async function registeredAgent(
  t: SshTestApp,
  board: string,
  options: Partial<FakeAgentOptions> = {},
): Promise<FakeAgent> {
  const agent = await FakeAgent.start({
    serverUrl: t.baseUrl,
    agentToken: TOKEN,
    uuid: randomUUID(),
    caps: { board },
    ...options,
  });
  agents.push(agent);
  await agent.register();
  return agent;
}

async function runningOn(t: SshTestApp, board: string) {
  const agent = await registeredAgent(t, board);
  await bringToIdle(t.baseUrl, agent);
  const request = await t.requests.create(requestInput({ caps: { board } }), TESTER);
  await t.settle();
  expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('IN PROGRESS');
  return { agent, request };
}

/** Control commands the agent runs from now on. */
function controlCommands(agent: FakeAgent): string[] {
  const seen: string[] = [];
  agent.on('session', (user: string, command: string) => {
    if (user === CONTROL_USER) seen.push(command);
  });
  return seen;
}

/** Stalled control commands whose channel the server closed, from now on. */
function hungUp(agent: FakeAgent): string[] {
  const seen: string[] = [];
  agent.on('hung-up', (command: string) => seen.push(command.split(' ')[0]));
  return seen;
}

describe('driving agents over real SSH', () => {
  const dir = tempDir();
  let t: SshTestApp;

  beforeAll(async () => {
    t = await startSshTestApp({ dataDir: dir.path, env: ENV });
  });
  afterAll(async () => {
    await t.close();
    dir.remove();
  });

  it('opens a dropped connection to a RUNNING worker again with status, never a health check', async () => {
    const { agent, request } = await runningOn(t, 'reconnects');
    const seen = controlCommands(agent);
    agent.dropConnections();
    await waitFor(() => seen.length > 0, 'the server to reach the agent again');
    await t.settle();
    // A health check would power-cycle the tester's board in the middle of the job.
    expect(seen).toEqual(['status']);
    expect((await t.workers.get(agent.uuid)).state).toBe('RUNNING');
    expect((await t.requests.get(request.id, ADMIN)).request.state).toBe('IN PROGRESS');
  });

  it('gives up on a prepare that never answers: worker FAILED, and the channel is closed', async () => {
    const agent = await registeredAgent(t, 'stalls-prepare');
    agent.stalled = true;
    const closed = hungUp(agent);
    await t.workers.setState(agent.uuid, 'IDLE', ADMIN);
    await waitFor(async () => (await t.workers.get(agent.uuid)).state === 'FAILED', 'FAILED');
    expect((await t.workers.get(agent.uuid)).failReason).toBe(
      'prepare failed: prepare timed out after 3000 ms',
    );
    // Left open, the agent could still finish the prepare for a worker the server has failed.
    await waitFor(() => closed.includes('prepare'), 'the server to close the prepare channel');
  });

  it('bounds status and authorize by the same time limit', async () => {
    const agent = await registeredAgent(t, 'stalls-status');
    agent.stalled = true;
    const closed = hungUp(agent);
    const dryad = t.app.get(DryadPort);
    const target = dryadTarget(await t.workers.get(agent.uuid));
    await Promise.all([
      expect(dryad.status(target)).rejects.toThrow('status timed out after 3000 ms'),
      expect(
        dryad.authorize(target, generateEd25519KeyPair().public.trim(), 'SHA256:job'),
      ).rejects.toThrow('authorize timed out after 3000 ms'),
    ]);
    await waitFor(() => closed.length === 2, 'the server to close both channels');
  });

  it('refuses an agent whose host key is not the registered one: worker FAILED, and logged', async () => {
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    try {
      const agent = await registeredAgent(t, 'changed-host-key', {
        registeredHostKey: generateEd25519KeyPair().public.trim(),
      });
      const seen = controlCommands(agent);
      await t.workers.setState(agent.uuid, 'IDLE', ADMIN);
      await waitFor(async () => (await t.workers.get(agent.uuid)).state === 'FAILED', 'FAILED');
      expect((await t.workers.get(agent.uuid)).failReason).toBe(
        `prepare failed: agent at ${agent.address} presented a host key different from the one it registered with: refused`,
      );
      expect(seen).toEqual([]); // refused before anything ran on it
      const logged = warnings.mock.calls.map(([message]) => String(message));
      expect(logged).toContain(`worker ${agent.uuid}: host key mismatch at ${agent.address}`);
    } finally {
      warnings.mockRestore();
    }
  });
});

describe('driving agents over real SSH across a server restart', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('watches a RUNNING worker again after a restart: its agent dying fails the job', async () => {
    const first = await startSshTestApp({ dataDir: dir.path, env: ENV });
    const { agent, request } = await runningOn(first, 'restart-watched');
    await first.close();
    const seen = controlCommands(agent);
    const second = await startSshTestApp({ dataDir: dir.path, env: ENV });
    try {
      // Nothing runs on a RUNNING worker by itself: the restarted server must connect on its own.
      await waitFor(() => seen.includes('status'), 'the restarted server to reach the agent');
      await agent.stop();
      await waitFor(
        async () => (await second.workers.get(agent.uuid)).state === 'FAILED',
        'the worker to fail',
      );
      expect((await second.workers.get(agent.uuid)).failReason).toMatch(/^agent unreachable/);
      expect((await second.requests.get(request.id, ADMIN)).request.state).toBe('FAILED');
    } finally {
      await second.close();
    }
  });
});
