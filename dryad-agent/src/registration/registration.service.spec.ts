import { Logger } from '../log/logger';
import type { RegisterAgentRequest } from '../protocol';
import { FakeLeshyServer } from '../testing/fake-leshy.server';
import { waitFor } from '../testing/wait-for';
import { AgentApiClient } from './agent-api.client';
import { Backoff } from './backoff';
import { RegistrationService } from './registration.service';
import { generateEd25519KeyPair } from '../ssh-keys';

// Real sockets, ptys and key generation: allow for a busy 2-core machine (waits are for events).
jest.setTimeout(15_000);

describe('Backoff', () => {
  it('doubles up to the cap with equal jitter', () => {
    const low = new Backoff(100, 1000, () => 0);
    expect([1, 2, 3, 4, 5, 6].map(() => low.next())).toEqual([50, 100, 200, 400, 500, 500]);
    const high = new Backoff(100, 1000, () => 1);
    expect([1, 2, 3, 4, 5].map(() => high.next())).toEqual([100, 200, 400, 800, 1000]);
    high.reset();
    expect(high.next()).toBe(100);
  });
});

describe('RegistrationService against a real HTTP server', () => {
  const uuid = '3f0c8a1e-5b7d-4c2a-9e1f-0a1b2c3d4e5f';
  const request = (): RegisterAgentRequest => ({
    uuid,
    caps: { UUID: uuid },
    controlAddr: '127.0.0.1:2222',
    sshAddr: '127.0.0.1:2222',
    hostKey: generateEd25519KeyPair().public,
    accessMode: 'embedded',
    agentVersion: 'test',
  });
  let server: FakeLeshyServer;
  let service: RegistrationService | null = null;

  const make = (url: string, token: string, heartbeatIntervalMs = 60_000) => {
    service = new RegistrationService(
      new AgentApiClient(url, token),
      uuid,
      request,
      { heartbeatIntervalMs, retryInitialMs: 20, retryMaxMs: 80, slowRetryMs: 150 },
      Logger.silent(),
    );
    return service;
  };

  beforeEach(() => (server = new FakeLeshyServer()));
  afterEach(async () => {
    service?.stop();
    service = null;
    await server.stop();
  });

  it('backs off (capped, jittered) while the server is down, then registers and learns its key', async () => {
    const url = await server.start();
    const port = Number(new URL(url).port);
    await server.stop();
    const reg = make(url, server.token);
    const retries: { delayMs: number; reason: string }[] = [];
    reg.on('retry', (r: { delayMs: number; reason: string }) => retries.push(r));
    reg.start();
    await waitFor(() => retries.length >= 4, 'four failed attempts');
    expect(retries[0].reason).toMatch(
      /^cannot reach the server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/,
    );
    const caps = [20, 40, 80, 80];
    retries.slice(0, 4).forEach((r, i) => {
      expect(r.delayMs).toBeGreaterThanOrEqual(caps[i] / 2);
      expect(r.delayMs).toBeLessThanOrEqual(caps[i]);
    });
    expect(reg.controlKey).toBeNull();
    await server.start(port);
    await reg.whenRegistered();
    expect(reg.controlKey?.line).toBe(server.keys.public.split(' ').slice(0, 2).join(' '));
    expect(server.registrations[0]).toMatchObject({
      authorization: `Bearer ${server.token}`,
      body: { uuid },
    });
  });

  it('registers again when a heartbeat answers 404', async () => {
    await server.start();
    server.forgetNextHeartbeats = 1;
    const reg = make(server.url, server.token, 30);
    reg.start();
    await waitFor(() => server.registrations.length === 2, 'a second registration');
    await waitFor(
      () => server.requests.filter((r) => r.path.endsWith('/heartbeat')).length >= 2,
      'heartbeats after it',
    );
    expect(server.agents.has(uuid)).toBe(true);
  });

  it('says the token is rejected and keeps retrying slowly', async () => {
    await server.start();
    const reg = make(server.url, 'wrong-token');
    const retries: { delayMs: number; reason: string }[] = [];
    reg.on('retry', (r: { delayMs: number; reason: string }) => retries.push(r));
    reg.start();
    await waitFor(() => retries.length >= 2, 'two refused attempts');
    expect(retries[0]).toEqual({
      delayMs: 150,
      reason:
        "the server rejected the agent token (HTTP 401): check server.token in the config against the server's agent tokens",
    });
    expect(reg.registered).toBe(false);
  });

  it('holds failure reports until registered, then delivers them', async () => {
    const url = await server.start();
    const port = Number(new URL(url).port);
    await server.stop();
    const reg = make(url, server.token);
    reg.start();
    reg.reportFailure(
      'STM not answering on /dev/ttyS2 (timeout after 2000 ms waiting for "power")',
    );
    await server.start(port);
    await waitFor(() => server.failures(uuid).length === 1, 'the failure report');
    expect(server.failures(uuid)).toEqual([
      'STM not answering on /dev/ttyS2 (timeout after 2000 ms waiting for "power")',
    ]);
    const fail = server.requests.find((r) => r.path.endsWith('/fail'));
    expect(fail?.path).toBe(`/api/v2/agents/${uuid}/fail`);
  });
});
