import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateEd25519KeyPair } from 'dryad-agent/ssh-keys';
import type { Client } from 'ssh2';
import { AgentProcess, startAgentProcess } from './support/agent-process';
import { waitForWorkerState } from './support/fake-agent';
import { rawRequest, v1Json } from './support/http-client';
import { freePort, ServerProcess, startServer } from './support/server-process';
import { sshConnect, sshExec, sshRefused } from './support/ssh-session';
import { sandboxPrerequisites, startSystemSandbox, SystemSandbox } from './support/system-sandbox';
import { waitFor } from './support/wait-for';

/**
 * System access mode for real: the server, the STM simulator on ptys, and the agent in
 * `access_mode = "system"` with real useradd/userdel, kill and find, testers logging in to a
 * real OpenSSH sshd through the server's tunnel. All of it that touches users runs in a
 * sandbox (private mount, pid and IPC namespaces with a private /etc, /home, /tmp...), so the
 * host's accounts and files are never touched. Needs root (CI runs as root); anything missing
 * fails the suite, naming it.
 */
const TOKEN = 'system-e2e-agent-token';
const JOB_USER = 'boruta-user';

interface Access {
  Addr: { IP: string; Port: number };
  Key: string;
  Username: string;
}

/**
 * What a tester who wants to stay leaves behind: files in /tmp, /var/tmp and /dev/shm and a
 * System V shared memory segment that anyone may read and write, and a process that keeps forking and letting its parent exit
 * (four such chains: they outrun a kill that reads the process list first), which appends `plantedKey` to every
 * authorized_keys it can write.
 */
const LEAVE_BEHIND = (plantedKey: string) => `set -e
for f in /tmp/left /var/tmp/left /dev/shm/left; do echo "job secret" > $f; chmod 666 $f; done
mkdir -p /tmp/dir/deeper && echo x > /tmp/dir/deeper/f && chmod -R 777 /tmp/dir
ipcmk -M 4096 -p 0666 >/dev/null
echo "the hopper runs from memory; this file only shows where it was" > /dev/shm/hop.note
export HOP='sh -c "$HOP" & for f in /home/*/.ssh/authorized_keys; do [ -w "$f" ] && echo "${plantedKey}" >> "$f"; done'
for chain in 1 2 3 4; do setsid sh -c "$HOP" </dev/null >/dev/null 2>&1 & done
echo started`;

describe('system access mode: nothing of one job reaches the next', () => {
  let sandbox: SystemSandbox;
  let server: ServerProcess;
  let simulator: AgentProcess;
  let agent: AgentProcess;
  let uuid: string;
  let sshdPort: number;
  let pamSshdPort: number;
  let agentPort: number;
  let dialout: number;
  const planted = generateEd25519KeyPair();
  const host = (name: string) => path.join(sandbox.shared, name);
  const inside = (name: string) => `${sandbox.inside}/${name}`;

  beforeAll(async () => {
    const missing = sandboxPrerequisites();
    if (missing.length) {
      throw new Error(
        `the system-mode e2e cannot run here; missing: ${missing.join(', ')}. CI runs it as root with these installed (.ci/run)`,
      );
    }
    sandbox = await startSystemSandbox();
    server = await startServer({
      env: {
        LESHY_AGENT_TOKEN: TOKEN,
        LESHY_HEALTHCHECK_INTERVAL: '1h',
        LESHY_V1_ANONYMOUS_ROLE: 'admin',
        LESHY_DRYAD_TIMEOUT: '30s',
        LESHY_KEY_POOL: '4',
      },
    });

    // The STM and DUT console on ptys, given to root:dialout 0660 as Debian gives /dev/ttyS*.
    simulator = startAgentProcess(['simulate', '--stm', host('stm'), '--console', host('console')]);
    await simulator.waitForOutput(/^ready$/m, 'the simulated STM and DUT');
    dialout = Number(execFileSync('getent', ['group', 'dialout']).toString().split(':')[2]);
    for (const device of ['stm', 'console']) {
      chownSync(host(device), 0, dialout);
      chmodSync(host(device), 0o660);
    }

    // Two sshd as a board ships them, one with PAM and one without, on loopback ports.
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', host('sshd_host_key')]);
    sshdPort = await freePort();
    pamSshdPort = await freePort();
    for (const [name, port, pam] of [
      ['sshd_nopam', sshdPort, 'no'],
      ['sshd_pam', pamSshdPort, 'yes'],
    ] as const) {
      writeFileSync(
        host(name),
        `Port ${port}\nListenAddress 127.0.0.1\nHostKey ${inside('sshd_host_key')}\nUsePAM ${pam}\nPidFile none\nLogLevel VERBOSE\n`,
      );
      const sshd = sandbox.spawn('/usr/sbin/sshd', ['-D', '-e', '-f', inside(name)]);
      let log = '';
      sshd.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
      await waitFor(() => /Server listening/.test(log), `sshd (UsePAM ${pam}) to listen: ${log}`);
    }

    agentPort = await freePort();
    writeFileSync(host('sdcard.img'), '', { mode: 0o600 });
    mkdirSync(host('agent-data'), { mode: 0o700 });
    expect(await startAgentProcess(['init', '--config', host('dryad.toml')]).exitCode()).toBe(0);
    const config = readFileSync(host('dryad.toml'), 'utf8')
      .replace(/^access_mode = .*$/m, 'access_mode = "system"')
      .replace(/^data_dir = .*$/m, `data_dir = "${inside('agent-data')}"`)
      .replace(/^url = .*$/m, `url = "${server.baseUrl}"`)
      .replace(/^token = .*$/m, `token = "${TOKEN}"`)
      .replace(/^# board = .*$/m, 'board = "system-e2e"')
      .replace(/^listen = .*$/m, `listen = "127.0.0.1:${agentPort}"`)
      .replace(/^tester_addr = .*$/m, `tester_addr = "127.0.0.1:${sshdPort}"`)
      .replace(/^path = "\/dev\/ttyS2"$/m, `path = "${inside('stm')}"`)
      .replace(/^path = "\/dev\/ttyS1"$/m, `path = "${inside('console')}"`)
      .replace(/^job_access = .*$/m, 'job_access = true')
      .replace(/^probe_interval_ms = .*$/m, 'probe_interval_ms = 3600000')
      .replace(/^device = .*$/m, `device = "${inside('sdcard.img')}"`);
    expect(config).toMatch(/^job_groups = \[\]$/m); // the default: no dialout
    writeFileSync(host('dryad.toml'), config);
    uuid = /^uuid = "([^"]+)"/m.exec(config)![1];
    await startAgent();
    const set = await v1Json(server.baseUrl, 'POST', `/api/v1/workers/${uuid}/setstate`, {
      WorkerState: 'IDLE',
    });
    expect(set.status).toBe(204);
    await idle();
  });

  afterAll(async () => {
    await agent?.stop();
    await simulator?.stop();
    await server?.stop();
    sandbox?.destroy();
  });

  /** The board back in IDLE (prepared); on a timeout, says what the agent logged. */
  async function idle(): Promise<void> {
    try {
      await waitForWorkerState(server.baseUrl, uuid, 'IDLE', 30_000);
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\n--- agent output ---\n${agent.output().slice(-4000)}`,
        { cause: error },
      );
    }
  }

  async function startAgent(): Promise<void> {
    agent = startAgentProcess(['run', '--config', inside('dryad.toml')], sandbox);
    await agent.waitForOutput(/registered with the server/, 'the system-mode agent to register');
  }

  const requestState = async (id: number) =>
    (await rawRequest(server.baseUrl, 'HEAD', `/api/v1/reqs/${id}`)).header('Boruta-Request-State');

  async function runningJob(): Promise<{ id: number; access: Access }> {
    const created = await v1Json(server.baseUrl, 'POST', '/api/v1/reqs/', {
      Priority: 4,
      Caps: { board: 'system-e2e' },
    });
    expect(created.status).toBe(201);
    const id = JSON.parse(created.body).ReqID as number;
    await waitFor(async () => (await requestState(id)) === 'IN PROGRESS', `request ${id} to run`);
    const acquired = await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${id}/acquire_worker`);
    expect(acquired.status).toBe(200);
    return { id, access: JSON.parse(acquired.body) as Access };
  }

  /** A tester's shell on the board, through the server's tunnel. */
  const shell = (access: Access) =>
    sshConnect({
      host: access.Addr.IP,
      port: access.Addr.Port,
      username: access.Username,
      privateKey: access.Key,
    });

  const direct = (port: number, privateKey: string) =>
    ({ host: '127.0.0.1', port, username: JOB_USER, privateKey }) as const;

  /** Pids of live processes (zombies aside) in the sandbox with `uid` as real or effective uid. */
  async function livePids(uid: number): Promise<string[]> {
    const ps = await sandbox.run('ps', ['-e', '-o', 'pid=,ruid=,euid=,stat=']);
    return ps.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(
        ([, ruid, euid, stat]) =>
          (ruid === `${uid}` || euid === `${uid}`) && !stat?.startsWith('Z'),
      )
      .map(([pid]) => pid);
  }

  /** Paths on the sandbox's writable file systems that `uid` owns. */
  async function filesOf(uid: number): Promise<string> {
    const found = await sandbox.run('find', [
      '/tmp',
      '/var/tmp',
      '/dev/shm',
      '/home',
      '/run',
      '/etc',
      '-uid',
      `${uid}`,
    ]);
    return found.stdout.trim();
  }

  /** Ids of System V shared memory segments in the sandbox that `uid` owns. */
  async function segmentsOf(uid: number): Promise<string[]> {
    const table = (await sandbox.run('cat', ['/proc/sysvipc/shm'])).stdout.trim().split('\n');
    const header = table[0].trim().split(/\s+/);
    return table
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((row) => row[header.indexOf('uid')] === `${uid}`)
      .map((row) => row[header.indexOf('shmid')]);
  }

  /** Logs in as the tester, leaves things behind, and checks what the job user may open. */
  async function leaveTraces(tester: Client): Promise<number> {
    const uid = Number((await sshExec(tester, 'id -u')).stdout.trim());
    // The console is lent to the job; the STM's line is not the tester's, though both are
    // root:dialout like /dev/ttyS* on Debian.
    const open = (device: string) =>
      sshExec(tester, `(exec 3<>${inside(device)}) 2>/dev/null && echo opened || echo refused`);
    expect((await open('console')).stdout.trim()).toBe('opened');
    expect((await open('stm')).stdout.trim()).toBe('refused');
    expect((await sshExec(tester, LEAVE_BEHIND(planted.public))).stdout.trim()).toBe('started');
    await waitFor(async () => (await livePids(uid)).length > 0, 'the fork-hopping process to run');
    expect(await filesOf(uid)).toContain('/dev/shm/left');
    expect(await segmentsOf(uid)).toHaveLength(1);
    return uid;
  }

  /** None of `uid`'s processes, files or account remain, and its keys open nothing. */
  async function expectGone(uid: number, keys: string[]): Promise<void> {
    // Several looks: one could fall between two members of a chain.
    for (let look = 0; look < 5; look++) {
      expect(await livePids(uid)).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await filesOf(uid)).toBe('');
    expect(await segmentsOf(uid)).toEqual([]);
    expect(statSync(host('console')).uid).not.toBe(uid); // the lent console was taken back
    expect((await sandbox.run('getent', ['passwd', `${uid}`])).code).not.toBe(0);
    for (const key of keys) {
      expect(await sshRefused(direct(sshdPort, key))).toBe(true);
      expect(await sshRefused(direct(pamSshdPort, key))).toBe(true);
    }
  }

  let lastUid = 0;

  it('after a close, the next tester finds nothing of the last one, whose key and plants fail', async () => {
    const first = await runningJob();
    const tester1 = await shell(first.access);
    const uid1 = await leaveTraces(tester1);
    const cut = new Promise<void>((resolve) => tester1.once('close', () => resolve()));
    expect(
      (await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${first.id}/close`)).status,
    ).toBe(204);
    await cut;
    await idle();

    const second = await runningJob();
    const tester2 = await shell(second.access);
    const uid2 = Number((await sshExec(tester2, 'id -u')).stdout.trim());
    const seen = await sshExec(tester2, 'ls -A /tmp /var/tmp /dev/shm; cat ~/.ssh/authorized_keys');
    expect(seen.stdout).not.toMatch(/left|hop|dir/);
    expect(seen.stdout).not.toContain(planted.public.split(' ')[1]);
    await expectGone(uid1, [first.access.Key, planted.private]);
    expect(await sshRefused(direct(agentPort, first.access.Key))).toBe(true); // board commands
    expect(uid2).toBeGreaterThan(uid1); // never the last job's uid
    // Key logins work with the board's sshd as shipped, without PAM (the tunnel's) and with it.
    const withPam = await sshConnect(direct(pamSshdPort, second.access.Key));
    expect((await sshExec(withPam, 'id -u')).stdout.trim()).toBe(`${uid2}`);
    withPam.end();
    tester2.end();
    expect(
      (await rawRequest(server.baseUrl, 'POST', `/api/v1/reqs/${second.id}/close`)).status,
    ).toBe(204);
    await idle();
    lastUid = uid2;
  });

  it('stopping the agent (SIGTERM) removes the job user as a close does; the restart is prepared again', async () => {
    const job = await runningJob();
    const tester = await shell(job.access);
    const uid = await leaveTraces(tester);
    expect(uid).toBeGreaterThan(lastUid);
    const cut = new Promise<void>((resolve) => tester.once('close', () => resolve()));
    await agent.stop('SIGTERM');
    expect(await agent.exitCode()).toBe(0);
    await cut; // the shell was killed with the user
    await expectGone(uid, [job.access.Key, planted.private]);
    expect((await sandbox.run('id', ['-u', JOB_USER])).code).not.toBe(0);
    // No job: the console is root:dialout 0660 again, as before it was lent.
    expect(statSync(host('console'))).toMatchObject({ uid: 0, gid: dialout, mode: 0o20660 });

    await startAgent();
    // The server is told by the new registration: the job fails, the board is prepared again.
    await waitFor(
      async () => (await requestState(job.id)) === 'FAILED',
      `request ${job.id} to fail`,
      30_000,
    );
    await idle();
    lastUid = uid;
  });

  it('after SIGKILL of the agent, the restart removes the job user before it registers', async () => {
    const job = await runningJob();
    const tester = await shell(job.access);
    const uid = await leaveTraces(tester);
    tester.end();
    await agent.stop('SIGKILL');
    // Killed: nothing was cleaned; the account, its key and the planted process are there.
    expect((await sandbox.run('id', ['-u', JOB_USER])).stdout.trim()).toBe(`${uid}`);
    // (A chain member lives a few ms, so one look at the process list may miss them all.)
    await waitFor(async () => (await livePids(uid)).length > 0, 'the planted process to live on');
    expect(await sshRefused(direct(sshdPort, job.access.Key))).toBe(false);
    await startAgent();
    const log = agent.output();
    const removed = log.indexOf(`removed job user ${JOB_USER}: uid ${uid} has no account`);
    expect(removed).toBeGreaterThanOrEqual(0);
    expect(removed).toBeLessThan(log.indexOf('registered with the server'));
    await expectGone(uid, [job.access.Key, planted.private]);
    await waitFor(
      async () => (await requestState(job.id)) === 'FAILED',
      `request ${job.id} to fail`,
      30_000,
    );
    await idle();
  });
});
