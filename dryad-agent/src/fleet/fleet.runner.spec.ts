import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '../log/logger';
import { FakeLeshyServer } from '../testing/fake-leshy.server';
import { sshExec } from '../testing/ssh-exec';
import { BoardIdentityStore } from './board-identity.store';
import { FleetRunner } from './fleet.runner';
import { generateEd25519KeyPair } from '../ssh-keys';

// Real sockets, ptys and key generation: allow for a busy 2-core machine (waits are for events).
jest.setTimeout(15_000);

describe('FleetRunner', () => {
  let dir: string;
  let server: FakeLeshyServer;
  let fleet: FleetRunner | null = null;
  const lines: string[] = [];
  const logged: string[] = [];

  const make = () =>
    new FleetRunner({
      count: 3,
      serverUrl: server.url,
      token: server.token,
      caps: { lab: 'a' },
      basePort: 0,
      host: '127.0.0.1',
      dataDir: dir,
      logLevel: 'warn',
      logger: new Logger('warn', {}, (line) => logged.push(line)),
      print: (line) => lines.push(line),
    });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dryad-fleet-'));
    server = new FakeLeshyServer();
    await server.start();
    lines.length = 0;
    logged.length = 0;
  });

  afterEach(async () => {
    await fleet?.stop();
    fleet = null;
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers 3 boards, each of which accepts prepare from the server key', async () => {
    fleet = make();
    await fleet.start();
    expect(server.agents.size).toBe(3);
    const ports = new Set<string>();
    for (const { agent } of fleet.boards) {
      const registered = server.agents.get(agent.uuid)!;
      expect(registered.caps).toEqual({ board: 'sim', lab: 'a', UUID: agent.uuid });
      ports.add(registered.controlAddr);
      const port = Number(registered.controlAddr.split(':')[1]);
      const jobKey = generateEd25519KeyPair();
      const prepared = await sshExec(
        { port, username: 'dryad', privateKey: server.keys.private },
        'prepare',
        jobKey.public,
      );
      expect(prepared).toEqual({ code: 0, stdout: '{"username":"boruta-user"}\n', stderr: '' });
      const tick = await sshExec(
        { port, username: 'boruta-user', privateKey: jobKey.private },
        'power tick 10',
      );
      expect(tick.code).toBe(0);
    }
    expect(ports.size).toBe(3);
    expect(lines.filter((l) => /^board \d registered: uuid=/.test(l))).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/^fleet: 3 boards registered in [\d.]+ s/);
  });

  it('keeps board identities (UUID and host key) in the data dir across restarts', async () => {
    fleet = make();
    await fleet.start();
    const first = fleet.boards.map((b) => [b.agent.uuid, server.agents.get(b.agent.uuid)!.hostKey]);
    await fleet.stop();
    fleet = make();
    await fleet.start();
    const second = fleet.boards.map((b) => [
      b.agent.uuid,
      server.agents.get(b.agent.uuid)!.hostKey,
    ]);
    expect(second).toEqual(first);
    expect(new Set(first.map(([uuid]) => uuid)).size).toBe(3);
  });

  const addresses = () => fleet!.boards.map((b) => server.agents.get(b.agent.uuid)!.controlAddr);

  it('keeps each board on its SSH port across restarts (without --base-port)', async () => {
    fleet = make();
    await fleet.start();
    const first = addresses();
    await fleet.stop();
    logged.length = 0; // the stop's own lines
    fleet = make();
    await fleet.start();
    // The same addresses: the server sees an unchanged registration, not a board to re-check.
    expect(addresses()).toEqual(first);
    expect(readFileSync(join(dir, 'board-0', 'ssh-port'), 'utf8')).toBe(
      `${first[0].split(':')[1]}\n`,
    );
    expect(logged).toEqual([]);
  });

  it('moves a board to a fresh port, saying so, when its old one is taken', async () => {
    fleet = make();
    await fleet.start();
    const first = addresses();
    const taken = Number(first[1].split(':')[1]);
    await fleet.stop();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(taken, '127.0.0.1', resolve));
    try {
      logged.length = 0; // the stop's own lines
      fleet = make();
      await fleet.start();
      const second = addresses();
      expect([second[0], second[2]]).toEqual([first[0], first[2]]);
      expect(second[1]).not.toBe(first[1]);
      expect(logged).toEqual([
        expect.stringMatching(
          new RegExp(`SSH port ${taken} is taken by another program: listening on \\d+ instead`),
        ),
      ]);
      // The fresh port is the one kept from now on.
      expect(readFileSync(join(dir, 'board-1', 'ssh-port'), 'utf8')).toBe(
        `${second[1].split(':')[1]}\n`,
      );
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('does not wait for a board the server refuses as deregistered, and says what to do', async () => {
    const refusedUuid = new BoardIdentityStore(dir).uuid(1);
    server.deregistered.add(refusedUuid);
    fleet = make();
    await fleet.start();
    expect(lines).toContain(
      `board 1 refused: uuid=${refusedUuid} was deregistered by an admin; admit it on the server (POST /api/v2/workers/${refusedUuid}/admit), then restart the fleet`,
    );
    expect(lines.at(-1)).toMatch(
      /^fleet: 2 of 3 boards registered in [\d.]+ s, 1 refused as deregistered/,
    );
    expect(server.agents.has(refusedUuid)).toBe(false);
  });
});
