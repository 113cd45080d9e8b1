import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DryadSshThread } from '../src/dryad/dryad-ssh-thread';
import { bringToIdle, FakeAgent, waitForWorkerState } from './support/fake-agent';
import { v1Json } from './support/http-client';
import { SshTestApp, startSshTestApp } from './support/test-app';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

/**
 * Deregistering a worker whose agent is connected over SSH (the server keeps one connection
 * per agent): the connection is closed, nothing mistakes that for a lost agent, and the
 * agent's registration afterwards is refused.
 */
const TOKEN = 'deregistration-ssh-int-token';

describe('deregistering a worker whose SSH connection is held', () => {
  const dir = tempDir();
  let t: SshTestApp;
  let agent: FakeAgent;

  beforeAll(async () => {
    t = await startSshTestApp({
      dataDir: dir.path,
      env: {
        LESHY_AGENT_TOKEN: TOKEN,
        LESHY_DRYAD_TIMEOUT: '5s',
        LESHY_V1_ANONYMOUS_ROLE: 'admin',
      },
    });
  });
  afterAll(async () => {
    await agent?.stop();
    await t.close();
    dir.remove();
  });

  it('closes the connection quietly and refuses the agent afterwards', async () => {
    agent = await FakeAgent.start({
      serverUrl: t.baseUrl,
      agentToken: TOKEN,
      uuid: randomUUID(),
      caps: { board: 'deregistered' },
    });
    await agent.register();
    await bringToIdle(t.baseUrl, agent);
    const set = await v1Json(t.baseUrl, 'POST', `/api/v1/workers/${agent.uuid}/setstate`, {
      WorkerState: 'MAINTENANCE',
    });
    expect(set.status).toBe(204);
    await waitForWorkerState(t.baseUrl, agent.uuid, 'MAINTENANCE');
    const ssh = t.app.get(DryadSshThread);
    expect(ssh.hasConnection(agent.uuid)).toBe(true);
    expect(agent.openConnections).toBe(1);

    const complaints: unknown[] = [];
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((message: unknown) => void complaints.push(message));
    const error = jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((message: unknown) => void complaints.push(message));
    try {
      const deregistered = await v1Json(
        t.baseUrl,
        'POST',
        `/api/v1/workers/${agent.uuid}/deregister`,
      );
      expect(deregistered.status).toBe(204);
      await waitFor(() => agent.openConnections === 0, 'the server to close its connection');
      expect(ssh.hasConnection(agent.uuid)).toBe(false);
      await t.settle();
      await expect(agent.register()).rejects.toThrow(/failed: 410 .*was deregistered by an admin/);
      await t.settle();
      expect(ssh.hasConnection(agent.uuid)).toBe(false);
      expect(complaints).toEqual([]);
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });
});
