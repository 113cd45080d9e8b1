import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DemoApi } from './demo-api';
import { DemoFleet } from './demo-fleet';
import { BOARD_KINDS, DEMO_ADMIN, DEMO_SERVER_ENV, DEMO_TESTER } from './demo-lab';
import { nextSteps } from './next-steps';
import { bootstrapAdmin, demoEnvironment, ServerChild } from './server-child';

const USAGE = `usage: npm run demo [-- --port PORT]

Starts a Leshy server on 127.0.0.1:PORT (default 8487) with a fresh SQLite database in a
temporary data dir, a demo admin and a demo tester (their tokens printed once), and a fleet
of simulated boards set IDLE. Ctrl-C stops everything and removes the data dir.`;

const say = (line: string) => process.stdout.write(`${line}\n`);

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function readPort(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    say(USAGE);
    process.exit(0);
  }
  const port = Number(values.port ?? 8487);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`--port must be a port number 1..65535\n${USAGE}`);
  return port;
}

/** Setting a board IDLE prepares it first (PREPARE → IDLE): waits until every one is there. */
async function waitUntilAllIdle(api: DemoApi, count: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = (await api.workers()).map((worker) => worker.State);
    const idle = states.filter((state) => state === 'IDLE').length;
    if (idle === count) return;
    if (Date.now() > deadline)
      throw new Error(`only ${idle} of ${count} boards became IDLE: ${states.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * `npm run demo`: a lab in a box. Everything it starts (the server process, the simulated
 * boards in this process, the data dir) it stops again on SIGINT or SIGTERM.
 */
async function main(): Promise<void> {
  const port = readPort(process.argv.slice(2));
  if (!(await portIsFree(port)))
    throw new Error(
      `127.0.0.1:${port} is taken (another Leshy?): stop it, or pick another port with "npm run demo -- --port ${port + 1}"`,
    );
  const started = Date.now();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'leshy-demo-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const agentToken = randomBytes(24).toString('base64url');
  const env = demoEnvironment({
    ...DEMO_SERVER_ENV,
    LESHY_DATA_DIR: path.join(dataDir, 'server'),
    LESHY_HTTP_ADDR: `127.0.0.1:${port}`,
    LESHY_AGENT_TOKEN: agentToken,
    NO_COLOR: '1',
  });
  let server: ServerChild | null = null;
  let fleet: DemoFleet | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (why: string) =>
    (stopping ??= (async () => {
      say(`\ndemo: ${why}; stopping the boards and the server`);
      await fleet?.stop();
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
      say('demo: stopped');
    })());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => {
      // A second Ctrl-C while stopping: no more waiting.
      if (stopping) {
        server?.kill();
        process.exit(130);
      }
      void stop(`${signal}`).then(() => process.exit(0));
    });
  // Whatever ends this process, the server it started does not outlive it.
  process.once('exit', () => server?.kill());

  try {
    say(`demo: data dir ${dataDir} (removed at the end)`);
    say(`demo: [1/5] creating the demo admin (${DEMO_ADMIN})`);
    const adminToken = await bootstrapAdmin(env, DEMO_ADMIN);
    say(`demo: [2/5] starting the server on ${baseUrl} (SQLite)`);
    server = new ServerChild(env, path.join(dataDir, 'server.log'));
    say(`demo: server pid ${server.pid}`);
    await server.waitUntilReady(`${baseUrl}/health`, 60_000);
    const api = new DemoApi(baseUrl, adminToken);
    say(`demo: [3/5] creating the demo tester (${DEMO_TESTER.name})`);
    const testerToken = await api.createTester(DEMO_TESTER.name, DEMO_TESTER.groups);
    fleet = new DemoFleet(baseUrl, agentToken, path.join(dataDir, 'fleet'));
    say(`demo: [4/5] starting ${fleet.size} simulated boards`);
    await fleet.start((line) => say(`demo:       ${line}`));
    say('demo: [5/5] setting their groups and making them IDLE');
    const kinds = fleet.kindsByUuid();
    for (const worker of await api.workers()) {
      const kind = kinds.get(worker.WorkerUUID);
      if (kind && kind.groups.length > 0) await api.setGroups(worker.WorkerUUID, kind.groups);
      if (worker.State !== 'IDLE') await api.setIdle(worker.WorkerUUID);
    }
    await waitUntilAllIdle(api, fleet.size);
    const flakyUuid = fleet.flakyUuid();
    fleet.startFailures((uuid) => say(`demo: board ${uuid} stops answering for a while`));
    say(
      nextSteps({
        baseUrl,
        adminToken,
        testerToken,
        boards: fleet.size,
        flakyUuid,
        serverPid: server.pid,
        logFile: server.logFile,
      }),
    );
    const kindsText = BOARD_KINDS.map((k) => `${k.count} ${k.name}`).join(', ');
    say(
      `\ndemo: ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${fleet.size} boards IDLE (${kindsText}) at ${baseUrl}`,
    );
  } catch (error) {
    await stop('could not start');
    throw error;
  }
}

main().catch((error: unknown) => {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
