import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../agent';
import { SimulatedBoard } from '../fleet/simulated.board';
import { Logger } from '../log/logger';
import { testConfig } from '../testing/test-config';
import type { RegisterAgentRequest } from '../protocol';
import { FakeLeshyServer } from '../testing/fake-leshy.server';
import { waitFor } from '../testing/wait-for';
import { AgentApiClient } from './agent-api.client';
import { Backoff } from './backoff';
import { RegistrationOptions, RegistrationService } from './registration.service';
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
    // The server's own reason (problem+json detail) is what the agent says.
    expect(retries[0]).toEqual({
      delayMs: 150,
      reason: 'the server refused the agent token (HTTP 401): wrong agent token',
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

describe('RegistrationService refused by the server', () => {
  const uuid = '5e1d7c2a-0b3f-4d6e-8a9b-1c2d3e4f5a6b';
  let server: FakeLeshyServer;
  let service: RegistrationService | null = null;
  const lines: string[] = [];

  beforeEach(async () => {
    lines.length = 0;
    server = new FakeLeshyServer();
    await server.start();
  });
  afterEach(async () => {
    service?.stop();
    service = null;
    await server.stop();
  });

  const make = (token: string, options: Partial<RegistrationOptions> = {}) => {
    service = new RegistrationService(
      new AgentApiClient(server.url, token),
      uuid,
      () => ({
        uuid,
        caps: { UUID: uuid },
        controlAddr: '127.0.0.1:2222',
        sshAddr: '127.0.0.1:2222',
        hostKey: generateEd25519KeyPair().public,
        accessMode: 'embedded',
        agentVersion: 'test',
      }),
      { heartbeatIntervalMs: 60_000, ...options },
      new Logger('debug', {}, (line) => lines.push(line)),
    );
    return service;
  };

  it('says once that the board was deregistered, asks again slowly, and says when it is accepted again', async () => {
    server.deregistered.add(uuid);
    const reg = make(server.token, { deregisteredRetryMs: 100, retryInitialMs: 5 });
    const told: string[] = [];
    reg.on('deregistered', (reason: string) => told.push(reason));
    reg.start();
    await waitFor(() => server.registrations.length >= 3, 'three refused attempts');
    expect(told).toEqual([
      `the server refuses this board (HTTP 410): worker ${uuid} was deregistered by an admin; it is refused until an admin admits it again`,
    ]);
    const errors = lines.filter((l) => l.includes('ERROR'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /registration refused: the server refuses this board \(HTTP 410\): worker .* was deregistered by an admin.*; asking the server again every 0\.1 s/,
    );
    // Not the fast backoff of an unreachable server (5 ms doubling): one attempt per 100 ms.
    const times = server.registrations.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.registrations.length - times).toBeLessThanOrEqual(2);
    server.deregistered.delete(uuid);
    await reg.whenRegistered();
    expect(lines.some((l) => l.includes('the server accepts this board again'))).toBe(true);
  });

  it('refuses a wait that is not a positive number rather than spinning', () => {
    expect(() => make(server.token, { slowRetryMs: Number.NaN })).toThrow(
      /registration option slowRetryMs must be a positive number, got NaN/,
    );
  });
});

/**
 * As `run` and `fleet` build it: Agent passes its retry options through, undefined when the
 * caller sets none. Those must mean the defaults (60 s on a refused token, as the README
 * says), not NaN, which made registration, heartbeats and failure reports retry at once,
 * hundreds of times a second.
 */
describe('an agent refused by the server (default waits)', () => {
  let dir: string;
  let server: FakeLeshyServer;
  let board: SimulatedBoard;
  let agent: Agent | null = null;
  const lines: string[] = [];

  beforeEach(async () => {
    lines.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'agent-refused-'));
    writeFileSync(join(dir, 'sda'), '');
    server = new FakeLeshyServer();
    await server.start();
    board = new SimulatedBoard('refused');
  });
  afterEach(async () => {
    await agent?.stop();
    agent = null;
    board.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (token: string, heartbeatMs = 60_000) => {
    agent = new Agent({
      config: testConfig(dir, server.url, {
        server: { token, heartbeat_interval_ms: heartbeatMs },
      }),
      stmEndpoint: board.stmEndpoint,
      consoleEndpoint: board.consoleEndpoint,
      logger: new Logger('info', {}, (line) => lines.push(line)),
    });
    await agent.start();
    return agent;
  };
  const calls = (suffix: string) => server.requests.filter((r) => r.path.endsWith(suffix)).length;
  /** Enough time for a retry loop without pause to make hundreds of calls. */
  const quietPeriod = () => new Promise((resolve) => setTimeout(resolve, 400));

  it('retries a refused registration in 60 s, saying what the server said', async () => {
    await start('wrong-token');
    await waitFor(() => calls('/register') >= 1, 'the first attempt');
    await quietPeriod();
    expect(calls('/register')).toBe(1);
    expect(lines.filter((l) => l.includes('registration failed'))).toEqual([
      expect.stringMatching(
        /registration failed: the server refused the agent token \(HTTP 401\): wrong agent token; retrying in 60\.0 s$/,
      ),
    ]);
  });

  it('spaces heartbeats and failure reports 60 s apart once the token is rotated under it', async () => {
    const a = await start(server.token, 100);
    await a.registration.whenRegistered();
    await waitFor(() => calls('/heartbeat') >= 1, 'a heartbeat');
    server.token = 'rotated-token';
    const before = calls('/heartbeat');
    await waitFor(() => calls('/heartbeat') > before, 'a refused heartbeat');
    a.registration.reportFailure('DUT console sim://refused/console disappeared');
    await waitFor(() => calls('/fail') >= 1, 'a refused failure report');
    await quietPeriod();
    expect(calls('/heartbeat')).toBe(before + 1);
    expect(calls('/fail')).toBe(1);
    expect(lines.some((l) => /heartbeat failed: .*HTTP 401\): wrong agent token/.test(l))).toBe(
      true,
    );
    expect(
      lines.some((l) =>
        /failure report not delivered \(.*wrong agent token\); retrying in 60\.0 s/.test(l),
      ),
    ).toBe(true);
  });
});
