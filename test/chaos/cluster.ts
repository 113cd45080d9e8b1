import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { rawRequest } from '../support/http-client';
import { freePort, ServerProcess, startServer } from '../support/server-process';

/** Where the servers of a chaos run keep their data: one SQLite file, or one PostgreSQL database. */
export type ChaosDatabase = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/** What /health says about scheduling, on a build that elects a scheduler. */
export interface SchedulerView {
  schedulesHere: boolean;
  instance: string | null;
}

/** A run asked for something this server build cannot do: it fails, it does not pass. */
export class MissingFeatureError extends Error {
  override readonly name = 'MissingFeatureError';
}

/**
 * The server processes of a chaos run, on fixed ports (a restarted server answers where clients
 * and agents already send to) and one database. Instance i keeps its own data dir.
 */
export class ChaosCluster {
  private constructor(
    private readonly servers: Array<ServerProcess | null>,
    private readonly ports: number[],
    private readonly dataDirs: string[],
    private readonly env: Record<string, string>,
    readonly database: ChaosDatabase,
  ) {}

  static async start(
    instances: number,
    root: string,
    database: ChaosDatabase,
    env: Record<string, string>,
  ): Promise<ChaosCluster> {
    const ports: number[] = [];
    const dirs: string[] = [];
    for (let i = 0; i < instances; i++) {
      ports.push(await freePort());
      dirs.push(
        i === 0 && database.kind === 'sqlite'
          ? path.dirname(database.file)
          : path.join(root, `instance-${i}`),
      );
      mkdirSync(dirs[i], { recursive: true });
    }
    const fullEnv =
      database.kind === 'postgres' ? { ...env, LESHY_DATABASE_URL: database.url } : env;
    const cluster = new ChaosCluster(
      new Array(instances).fill(null),
      ports,
      dirs,
      fullEnv,
      database,
    );
    // One after the other: the first runs the migrations.
    for (let i = 0; i < instances; i++) await cluster.restart(i);
    return cluster;
  }

  get size(): number {
    return this.ports.length;
  }

  url(i: number): string {
    return `http://127.0.0.1:${this.ports[i]}`;
  }

  isUp(i: number): boolean {
    return this.servers[i] !== null;
  }

  pid(i: number): number | null {
    return this.servers[i]?.pid ?? null;
  }

  /** SIGKILL, no warning, and waits until the process is gone. */
  async kill(i: number): Promise<void> {
    const server = this.servers[i];
    if (!server) return;
    this.servers[i] = null;
    process.kill(server.pid, 'SIGKILL');
    await server.stop();
  }

  /** Starts instance i on its port and data dir; resolves with the ms until /health answered 200. */
  async restart(i: number): Promise<number> {
    if (this.servers[i]) throw new Error(`instance ${i} is running`);
    const began = performance.now();
    this.servers[i] = await startServer({
      port: this.ports[i],
      dataDir: this.dataDirs[i],
      env: this.env,
      readyTimeoutMs: 60_000,
    });
    return performance.now() - began;
  }

  /** The last lines a server printed (for failure messages). */
  logs(i: number): string {
    return this.servers[i]?.logs().slice(-4000) ?? '(not running)';
  }

  /**
   * Who schedules, from instance i's /health (null when it does not answer). Throws
   * MissingFeatureError on a build whose /health does not say: several instances on one
   * database are then not what this run can check.
   */
  async scheduler(i: number): Promise<SchedulerView | null> {
    const answer = await rawRequest(this.url(i), 'GET', '/health').catch(() => null);
    if (!answer || answer.status !== 200) return null;
    const health = JSON.parse(answer.body) as { scheduler?: Partial<SchedulerView> };
    if (typeof health.scheduler?.schedulesHere !== 'boolean') {
      throw new MissingFeatureError(
        `several instances on one PostgreSQL database need an elected scheduler, ` +
          `and GET ${this.url(i)}/health has no scheduler.schedulesHere: this server build does ` +
          `not elect one. Run without --instances, or on a build that has it.`,
      );
    }
    return {
      schedulesHere: health.scheduler.schedulesHere,
      instance: health.scheduler.instance ?? null,
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server?.stop()));
    this.servers.fill(null);
  }
}
