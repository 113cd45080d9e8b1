import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { rawRequest } from './support/http-client';
import { repoRoot } from './support/repo-root';
import { freePort } from './support/server-process';
import { refusesConnections } from './support/tcp-probe';
import { waitFor } from './support/wait-for';

/** The pids whose parent is `pid`, and theirs, from /proc. */
function descendants(pid: number): number[] {
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // Field 4 of /proc/PID/stat, after the parenthesised command name.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false; // ended meanwhile
      }
    })
    .map(Number);
  return children.flatMap((child) => [child, ...descendants(child)]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `npm run demo` as a new user runs it (its package.json script, on the build): it comes up with
 * every simulated board IDLE, prints the admin token that the API accepts, and Ctrl-C leaves no
 * process, port or data dir behind.
 */
describe('npm run demo', () => {
  let demo: ChildProcess;
  let output = '';
  let port: number;

  beforeAll(() => {
    const script = (
      JSON.parse(readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts.demo;
    expect(script).toMatch(/^node (\S+)$/);
    const entry = path.join(repoRoot(), script.split(' ')[1]);
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first`);
    return freePort().then((free) => {
      port = free;
      demo = spawn(process.execPath, [entry, '--port', String(port)], {
        cwd: repoRoot(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    });
  });
  afterAll(() => {
    if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
  });

  it('starts a living lab, and Ctrl-C stops all of it', async () => {
    await waitFor(
      () => /^demo: ready in /m.test(output) || demo.exitCode !== null,
      'the demo to be ready',
      120_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- demo output ---\n${output}`);
    });
    expect(output).toMatch(/^demo: ready in [\d.]+ s: 12 boards IDLE/m);
    const adminToken = /^ {2}admin +demo-admin: +(\S+)$/m.exec(output)?.[1];
    const testerToken = /^ {2}tester +demo-tester: +(\S+)/m.exec(output)?.[1];
    const serverPid = Number(/^demo: server pid (\d+)$/m.exec(output)?.[1]);
    const dataDir = /^demo: data dir (\S+)/m.exec(output)?.[1];
    expect(adminToken).toBeDefined();
    expect(testerToken).toBeDefined();
    expect(dataDir && existsSync(dataDir)).toBe(true);
    const baseUrl = `http://127.0.0.1:${port}`;
    expect(output).toContain(`${baseUrl}/`);

    // Every board IDLE, seen with the printed admin token (which sees every group).
    const listed = await rawRequest(baseUrl, 'POST', '/api/v1/workers/list', {
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(listed.status).toBe(200);
    const workers = JSON.parse(listed.body) as Array<{
      State: string;
      Caps: Record<string, string>;
      Groups: string[] | null;
    }>;
    expect(workers).toHaveLength(12);
    expect(workers.map((w) => w.State)).toEqual(Array(12).fill('IDLE'));
    expect(new Set(workers.map((w) => w.Caps.board))).toEqual(
      new Set(['rpi4', 'odroid-xu4', 'nuc']),
    );
    expect(workers.filter((w) => w.Groups?.includes('kernel'))).toHaveLength(4);
    // The tester's token is a tester's.
    const whoami = await rawRequest(baseUrl, 'GET', '/api/v2/whoami', {
      headers: { Authorization: `Bearer ${testerToken}` },
    });
    expect(JSON.parse(whoami.body)).toMatchObject({ role: 'tester' });

    const children = descendants(demo.pid!);
    expect(children).toContain(serverPid);
    demo.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) =>
      demo.exitCode !== null ? resolve(demo.exitCode) : demo.once('exit', (c) => resolve(c)),
    );
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toMatch(/^demo: stopped$/m);
    expect(children.filter(alive)).toEqual([]);
    expect(await refusesConnections(port)).toBe(true);
    expect(existsSync(dataDir!)).toBe(false);
  });
});
