import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AgentProcess, fleetArgs, startAgentProcess } from './support/agent-process';
import {
  leshyEnvironment,
  LeshyResult,
  runLeshyProcess,
  startLeshyProcess,
} from './support/leshy-process';
import { freePort, ServerProcess, startServer } from './support/server-process';
import { tempDir } from './support/temp-dir';
import { waitFor } from './support/wait-for';

/**
 * The `leshy` command line as its users run it: the built binary as a process, against a real
 * server process and a fleet of simulated boards reached over real SSH (OpenSSH's ssh and scp
 * through the server's tunnel). An admin sets the lab up, a tester reserves and works on a
 * board, and every error path is checked by its exit code and its one line.
 */
const AGENT_TOKEN = 'cli-e2e-enrollment-token';
const ADMIN_TOKEN = `lsy_${randomBytes(32).toString('base64url')}`;
const CAPS = 'board=cli-sim';

interface Worker {
  uuid: string;
  state: string;
  maintenance: { message: string } | null;
}

describe('leshy CLI against a server and a fleet', () => {
  const dir = tempDir('leshy-cli-e2e-');
  let server: ServerProcess;
  let fleet: AgentProcess;
  const homes = { admin: path.join(dir.path, 'admin'), alice: path.join(dir.path, 'alice') };
  /** Alice's TMPDIR: where the job key files appear (and must disappear). */
  const aliceTmp = path.join(dir.path, 'alice-tmp');
  const aliceEnv = () => leshyEnvironment(homes.alice, { TMPDIR: aliceTmp });
  const keyDirs = () => readdirSync(aliceTmp).filter((name) => name.startsWith('leshy-key-'));
  let bobToken = '';
  let bobTokenId = 0;
  let workers: Worker[] = [];
  let jobId = 0;

  const admin = (...args: string[]) => runLeshyProcess(args, leshyEnvironment(homes.admin));
  const alice = (args: string[], input?: string) => runLeshyProcess(args, aliceEnv(), { input });
  /** Bob has no config file: CI style, LESHY_SERVER and LESHY_TOKEN. */
  const bob = (...args: string[]) =>
    runLeshyProcess(
      args,
      leshyEnvironment(path.join(dir.path, 'bob'), {
        LESHY_SERVER: server.baseUrl,
        LESHY_TOKEN: bobToken,
      }),
    );
  /** The --json output of a run that must succeed (its stderr in the failure otherwise). */
  const json = <T>(result: LeshyResult): T => JSON.parse(ok(result).stdout) as T;
  const ok = (result: LeshyResult) => {
    if (result.code !== 0)
      throw new Error(`leshy exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
    return result;
  };

  beforeAll(async () => {
    mkdirSync(aliceTmp);
    server = await startServer({
      dataDir: path.join(dir.path, 'server'),
      env: {
        LESHY_AGENT_TOKEN: AGENT_TOKEN,
        LESHY_ADMIN_TOKEN: ADMIN_TOKEN,
        LESHY_HEALTHCHECK_INTERVAL: '2s',
        LESHY_JOB_TIMEOUT: '10m',
        // job.expiring 3 s after a job starts or is prolonged (the ssh warning's test).
        LESHY_EXPIRY_WARNING: '597s',
        LESHY_KEY_POOL: '2',
      },
    });
    fleet = startAgentProcess([
      ...fleetArgs({
        count: 2,
        serverUrl: server.baseUrl,
        token: AGENT_TOKEN,
        caps: CAPS,
        dataDir: path.join(dir.path, 'fleet'),
      }),
      // info: the agent logs the maintenance message it shows on the display
      ...['--log-level', 'info'],
    ]);
    await fleet.waitForOutput(/2 boards registered/, 'the fleet to register');
  });

  afterAll(async () => {
    await fleet?.stop();
    await server?.stop();
    dir.remove();
  });

  describe('an admin sets up the lab', () => {
    it('logs in (the config is written 0600) and is who the server says', async () => {
      const login = ok(await admin('login', '--server', server.baseUrl, '--token', ADMIN_TOKEN));
      expect(login.stdout).toMatch(
        /^logged in to http:\/\/127\.0\.0\.1:\d+ as user:admin \(admin\)/,
      );
      const file = path.join(homes.admin, '.config/leshy/config.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
        server: server.baseUrl,
        token: ADMIN_TOKEN,
      });
      expect(json<{ role: string; name: string }>(await admin('whoami', '--json'))).toMatchObject({
        role: 'admin',
        name: 'user:admin',
      });
    });

    it('adds two testers and gives each a token', async () => {
      const [added] = await Promise.all([
        admin('users', 'add', 'alice', '--json'),
        admin('users', 'add', 'bob', '--groups', 'lab-b').then(ok),
      ]);
      expect(json<{ name: string; role: string }>(added)).toMatchObject({
        name: 'alice',
        role: 'tester',
      });
      const [listedJson, listedTable, aliceIssued, bobIssued] = await Promise.all([
        admin('users', 'list', '--json'),
        admin('users', 'list'),
        admin('tokens', 'create', '--user', 'alice', '--label', 'laptop', '--json'),
        admin('tokens', 'create', '--user', 'bob', '--label', 'ci', '--json'),
      ]);
      const users = json<Array<{ name: string }>>(listedJson);
      expect(users.map((u) => u.name)).toEqual(expect.arrayContaining(['admin', 'alice', 'bob']));
      expect(ok(listedTable).stdout).toMatch(/^ID +NAME +ROLE/);
      const aliceToken = json<{ secret: string }>(aliceIssued);
      expect(aliceToken.secret).toMatch(/^lsy_/);
      const bobs = json<{ id: number; secret: string }>(bobIssued);
      bobToken = bobs.secret;
      bobTokenId = bobs.id;
      const listed = ok(await admin('tokens', 'list'));
      expect(listed.stdout).toMatch(/laptop/);
      expect(listed.stdout).not.toContain(aliceToken.secret);

      const [, bobWho] = await Promise.all([
        alice(['login', '--server', server.baseUrl, '--token', aliceToken.secret]).then(ok),
        bob('whoami', '--json'),
      ]);
      expect(json<{ name: string }>(bobWho).name).toBe('user:bob');
    });

    it('sees the new boards in MAINTENANCE in the workers table and sets them IDLE', async () => {
      workers = json<Worker[]>(await admin('workers', '--json'));
      expect(workers.map((w) => w.state)).toEqual(['MAINTENANCE', 'MAINTENANCE']);
      const table = ok(await admin('workers')).stdout;
      expect(table.split('\n')[0]).toMatch(
        /^UUID +STATE +CAPS +GROUPS +JOB +OWNER +LEFT +LAST FAILURE$/,
      );
      expect(table).toContain(workers[0].uuid);
      for (const w of workers) ok(await admin('idle', w.uuid));
      await waitFor(
        async () =>
          json<Worker[]>(await admin('workers', '--state', 'idle', '--json')).length === 2,
        'both workers IDLE',
        20_000,
      );
    });

    it('takes the second board into maintenance with a message the board shows', async () => {
      ok(await admin('maintenance', workers[1].uuid, '--message', 'new SD card'));
      // BUSY while the agent is told, then MAINTENANCE.
      const worker = await waitFor(
        async () => {
          const w = json<Worker>(await admin('worker', workers[1].uuid, '--json'));
          return w.state === 'MAINTENANCE' ? w : null;
        },
        'the worker in MAINTENANCE',
        15_000,
      );
      expect(worker).toMatchObject({
        state: 'MAINTENANCE',
        maintenance: { message: 'new SD card' },
      });
      // The agent logs what it puts on the board's display.
      await fleet.waitForOutput(/maintenance: "new SD card"/, 'the board to show the message');
    });
  });

  describe('a tester works on a board', () => {
    it('files a request and waits until it runs, then sees it in list and show', async () => {
      const result = await alice(['request', '--caps', CAPS, '--wait', '--json']);
      const request = json<{ id: number; state: string; job: { workerUuid: string } }>(result);
      expect(request).toMatchObject({ state: 'IN PROGRESS', job: { workerUuid: workers[0].uuid } });
      expect(result.stderr).toMatch(new RegExp(`^request ${request.id} filed`));
      jobId = request.id;
      const list = json<Array<{ id: number }>>(
        await alice(['list', '--mine', '--state', 'in-progress', '--json']),
      );
      expect(list.map((r) => r.id)).toEqual([jobId]);
      expect(ok(await alice(['show', String(jobId)])).stdout).toMatch(
        new RegExp(`^request: +${jobId} +IN PROGRESS`, 'm'),
      );
    });

    it('runs a command on the board over ssh, with its exit status', async () => {
      const power = ok(await alice(['ssh', String(jobId), '--', 'power', 'on']));
      expect(power.stdout).toBe('');
      expect(ok(await alice(['power', String(jobId)])).stdout.trim()).toBe('on');
      const unknown = await alice(['ssh', String(jobId), '--', 'no-such-command']);
      expect(unknown.code).toBe(127);
      expect(unknown.stderr).toMatch(/unknown command "no-such-command"/);
      expect(
        json<{ exitCode: number; stdout: string }>(
          await alice(['ssh', String(jobId), '--json', '--', 'help']),
        ),
      ).toMatchObject({
        exitCode: 0,
        stdout: expect.stringMatching(/^commands:/),
      });
    });

    it('removes the job key file after each command, also when stopped in the middle', async () => {
      expect(keyDirs()).toEqual([]); // the commands above cleaned up after themselves
      // SIGTERM ends leshy (and its ssh); SIGINT without a terminal is passed on to ssh.
      for (const [signal, code] of [
        ['SIGTERM', 143],
        ['SIGINT', 130],
      ] as const) {
        const tick = startLeshyProcess(['power', String(jobId), 'tick', '5000'], aliceEnv());
        const keyFile = await waitFor(() => {
          const dirs = keyDirs();
          const file = dirs.length === 1 ? path.join(aliceTmp, dirs[0], 'job_key') : '';
          return file && existsSync(file) ? file : '';
        }, 'the key file of the running power tick');
        expect(statSync(keyFile).mode & 0o777).toBe(0o600);
        expect(readFileSync(keyFile, 'utf8')).toMatch(/PRIVATE KEY/);
        const exited = new Promise<number | null>((resolve) =>
          tick.once('close', (status) => resolve(status)),
        );
        tick.kill(signal);
        expect(await exited).toBe(code);
        expect(keyDirs()).toEqual([]);
      }
      ok(await alice(['power', String(jobId), 'on']));
    });

    it('sends a line to the console and reads its answer', async () => {
      const result = await waitFor(
        async () => {
          const r = ok(
            await alice(['console', String(jobId), '--linger', '1s'], 'echo hello-from-leshy\n'),
          );
          return /^hello-from-leshy\r?$/m.test(r.stdout) ? r : null;
        },
        'the DUT to answer on its console',
        20_000,
      );
      expect(result!.stdout).toContain('hello-from-leshy');
    });

    it('flashes an image onto the SD card and boots it', async () => {
      const image = path.join(dir.path, 'small.img');
      const bytes = randomBytes(256 * 1024);
      writeFileSync(image, bytes);
      const result = await alice(['flash', String(jobId), image]);
      expect(ok(result).stdout).toMatch(/flash: wrote 262144 bytes to .*sdcard\.img/);
      expect(result.stderr).toMatch(/flash \[#+\] 100% 256\.0 KiB of 256\.0 KiB/);
      const cards = findFiles(path.join(dir.path, 'fleet'), 'sdcard.img').filter(
        (f) => statSync(f).size === bytes.length,
      );
      expect(cards).toHaveLength(1);
      expect(readFileSync(cards[0]).equals(bytes)).toBe(true);
      expect(ok(await alice(['power', String(jobId)])).stdout.trim()).toBe('on');
    });

    it('copies a file to the job workspace and back with scp', async () => {
      const local = path.join(dir.path, 'notes.txt');
      writeFileSync(local, 'results of the run\n');
      ok(await alice(['scp', local, `${jobId}:notes.txt`]));
      const back = path.join(dir.path, 'back.txt');
      ok(await alice(['scp', `${jobId}:notes.txt`, back]));
      expect(readFileSync(back, 'utf8')).toBe('results of the run\n');
    });

    it('prolongs the job, and an ssh session warns when it comes near its timeout', async () => {
      const before = json<{ job: { timeoutAt: string; prolongCount: number } }>(
        await alice(['show', String(jobId), '--json']),
      );
      const after = json<{ job: { timeoutAt: string; prolongCount: number } }>(
        await alice(['prolong', String(jobId), '--json']),
      );
      expect(Date.parse(after.job.timeoutAt)).toBeGreaterThan(Date.parse(before.job.timeoutAt));
      expect(after.job.prolongCount).toBe(before.job.prolongCount + 1);
      // LESHY_EXPIRY_WARNING is 3 s short of the job timeout: job.expiring comes 3 s from now.
      const session = await alice(['ssh', String(jobId), '--', 'power', 'tick', '5000']);
      expect(ok(session).stderr).toContain(
        `leshy: job ${jobId} ends ${after.job.timeoutAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`,
      );
      expect(session.stderr).toContain(`run "leshy prolong ${jobId}" to keep it`);
    });

    it('gives up waiting at --timeout (exit 7), the request left queued, and explains why it waits', async () => {
      const result = await alice([
        'request',
        '--caps',
        CAPS,
        '--wait',
        '--timeout',
        '2s',
        '--json',
      ]);
      expect(result.code).toBe(7);
      const id = Number(/request (\d+) filed/.exec(result.stderr)?.[1]);
      expect(result.stderr).toMatch(new RegExp(`leshy: request ${id} is still WAITING after 2s`));
      // One JSON document: the error, with the request it gave up on.
      expect(JSON.parse(result.stdout)).toMatchObject({
        error: { exitCode: 7, request: { id, state: 'WAITING' } },
      });
      const explanation = json<{ state: string; workers: Array<{ uuid: string; reason: string }> }>(
        await alice(['explain', String(id), '--json']),
      );
      expect(explanation.state).toBe('WAITING');
      expect(Object.fromEntries(explanation.workers.map((w) => [w.uuid, w.reason]))).toEqual({
        [workers[0].uuid]: 'running',
        [workers[1].uuid]: 'maintenance',
      });
      expect(ok(await alice(['explain', String(id)])).stdout).toMatch(/^WORKER +REASON +DETAIL$/m);
      expect(json<{ state: string }>(await alice(['close', String(id), '--json'])).state).toBe(
        'CANCELLED',
      );
    });

    it('Ctrl-C while waiting without a terminal leaves the request queued (exit 130)', async () => {
      const waiting = startLeshyProcess(['request', '--caps', CAPS, '--wait'], aliceEnv());
      let stderr = '';
      waiting.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      await waitFor(() => /WAITING/.test(stderr), 'the wait to show the queue', 15_000);
      const exited = new Promise<number | null>((resolve) =>
        waiting.once('close', (code) => resolve(code)),
      );
      waiting.kill('SIGINT');
      expect(await exited).toBe(130);
      const id = Number(/request (\d+) filed/.exec(stderr)?.[1]);
      expect(stderr).toContain(
        `stopped waiting; request ${id} stays queued (leshy close ${id} cancels it)`,
      );
      expect(json<{ state: string }>(await alice(['show', String(id), '--json'])).state).toBe(
        'WAITING',
      );
      ok(await alice(['close', String(id)]));
    });

    it('Ctrl-C while waiting on a terminal asks, and cancels the request on "y"', async () => {
      // util-linux `script` gives leshy a pseudo-terminal: a spinner, and a question on Ctrl-C.
      const command = [
        process.execPath,
        path.join(__dirname, '..', 'bin', 'leshy.js'),
        'request',
        '--caps',
        CAPS,
        '--wait',
      ]
        .map((w) => `'${w}'`)
        .join(' ');
      const terminal = spawn('script', ['-qfec', command, '/dev/null'], {
        env: aliceEnv(),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let screen = '';
      terminal.stdout!.on('data', (c: Buffer) => (screen += c.toString()));
      await waitFor(
        () => /⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/.test(screen) && /WAITING/.test(screen),
        'the spinner',
        15_000,
      );
      terminal.stdin!.write('\x03');
      await waitFor(() => /Cancel request \d+\? \[y\/N\]/.test(screen), 'the question', 10_000);
      terminal.stdin!.write('y\r');
      const code = await new Promise<number | null>((resolve) => terminal.once('close', resolve));
      expect(code).toBe(130);
      const id = Number(/request (\d+) filed/.exec(screen)?.[1]);
      expect(screen).toMatch(new RegExp(`request ${id} CANCELLED`));
      expect(json<{ state: string }>(await alice(['show', String(id), '--json'])).state).toBe(
        'CANCELLED',
      );
    });

    it('shows its events in the stream and the audit log', async () => {
      const watch = startLeshyProcess(['watch', String(jobId), '--json'], aliceEnv());
      let out = '';
      watch.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      // Live events only (no --since): prolong until the connected stream shows one.
      await waitFor(
        async () => {
          ok(await alice(['prolong', String(jobId)]));
          await new Promise((resolve) => setTimeout(resolve, 300));
          return /"event":"job.prolonged"/.test(out);
        },
        'the watch to print job.prolonged',
        15_000,
      );
      watch.kill('SIGINT');
      const lines = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event: string; requestId: number });
      expect(lines.find((l) => l.event === 'job.prolonged')?.requestId).toBe(jobId);
      const audit = json<Array<{ type: string }>>(
        await admin('audit', '--request', String(jobId), '--json'),
      );
      expect(audit.map((e) => e.type)).toEqual(
        expect.arrayContaining(['request.created', 'job.started']),
      );
    });
  });

  describe('an admin changes the fleet', () => {
    it('reserves a worker for groups, deregisters it and admits it again', async () => {
      const uuid = workers[1].uuid; // in maintenance since the start
      ok(await admin('groups', uuid, 'lab-b,lab-c'));
      expect(json<{ groups: string[] }>(await admin('worker', uuid, '--json')).groups).toEqual([
        'lab-b',
        'lab-c',
      ]);
      ok(await admin('deregister', uuid));
      expect((await admin('worker', uuid)).code).toBe(3);
      expect(ok(await admin('admit', uuid)).stdout).toBe(`worker ${uuid} may register again\n`);
    });
  });

  describe('error paths: exit code and one line', () => {
    it('a bad token: exit 4', async () => {
      const result = await runLeshyProcess(
        ['whoami'],
        leshyEnvironment(dir.path, {
          LESHY_SERVER: server.baseUrl,
          LESHY_TOKEN: 'lsy_not-a-token',
        }),
      );
      expect(result.code).toBe(4);
      expect(result.stderr).toMatch(
        /^leshy: the server refused the token: .+\n {2}ask an admin for a token, then run "leshy login --token TOKEN" \(or set LESHY_TOKEN\)\n$/,
      );
    });

    it('an unknown id: exit 3', async () => {
      const result = await alice(['show', '999999', '--json']);
      expect(result.code).toBe(3);
      expect(result.stderr.split('\n')).toHaveLength(2);
      expect(JSON.parse(result.stdout)).toMatchObject({ error: { exitCode: 3, status: 404 } });
      expect((await admin('worker', '00000000-0000-4000-8000-000000000000')).code).toBe(3);
    });

    it("another user's request, and an admin command as a tester: exit 5", async () => {
      const results = await Promise.all([
        bob('close', String(jobId)),
        bob('ssh', String(jobId), '--', 'power'),
        alice(['users', 'list']),
      ]);
      for (const result of results) {
        expect(result.code).toBe(5);
        expect(result.stderr).toMatch(/^leshy: .+\n$/);
      }
    });

    it('a server that does not answer: exit 8', async () => {
      const port = await freePort();
      const result = await runLeshyProcess(
        ['list'],
        leshyEnvironment(dir.path, {
          LESHY_SERVER: `http://127.0.0.1:${port}`,
          LESHY_TOKEN: bobToken,
        }),
      );
      expect(result.code).toBe(8);
      expect(result.stderr).toBe(
        `leshy: cannot reach the Leshy server at http://127.0.0.1:${port} (connection refused)\n  is it running? check the URL (leshy login --server URL, or LESHY_SERVER)\n`,
      );
    });

    it('a revoked token stops working; a removed user is gone', async () => {
      ok(await admin('tokens', 'revoke', String(bobTokenId)));
      expect((await bob('whoami')).code).toBe(4);
      ok(await admin('users', 'remove', 'bob'));
      expect((await admin('users', 'show', 'bob')).code).toBe(3);
    });
  });

  describe('the job ends', () => {
    it('closes the job; closing again is a conflict (exit 6)', async () => {
      expect(json<{ state: string }>(await alice(['close', String(jobId), '--json'])).state).toBe(
        'DONE',
      );
      const again = await alice(['close', String(jobId)]);
      expect(again.code).toBe(6);
    });

    it("logs in with the tester's own key for a request filed with --key", async () => {
      const key = path.join(dir.path, 'id_ed25519');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice@e2e', '-f', key]);
      const request = json<{ id: number; ownKey: boolean }>(
        await alice(['request', '--caps', CAPS, '--key', `${key}.pub`, '--wait', '--json']),
      );
      expect(request.ownKey).toBe(true);
      const power = await alice(['power', String(request.id), '-i', key]);
      expect(ok(power).stdout.trim()).toMatch(/^(on|off)$/);
      expect(keyDirs()).toEqual([]); // no job key was written: there was none
      ok(await alice(['close', String(request.id)]));
    });

    it('reserve waits, opens the console, and leaving it keeps the job', async () => {
      const session = ok(await alice(['reserve', '--caps', CAPS], 'echo reserved\n'));
      const id = Number(/request (\d+) filed/.exec(session.stderr)?.[1]);
      expect(session.stderr).toContain(`opening the console of request ${id}`);
      expect(json<{ state: string }>(await alice(['show', String(id), '--json'])).state).toBe(
        'IN PROGRESS',
      );
      ok(await alice(['close', String(id)]));
    });
  });
});

function findFiles(root: string, name: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name === name)
    .map((e) => path.join(e.parentPath, e.name));
}
