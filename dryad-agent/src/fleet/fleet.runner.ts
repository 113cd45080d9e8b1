import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from '../agent';
import { buildConfig } from '../config/config.loader';
import { Logger, LogLevel } from '../log/logger';
import { workerAdmitPath, type RegisterAgentResponse } from '../protocol';
import { BoardIdentityStore } from './board-identity.store';
import { SimulatedBoard } from './simulated.board';

export interface FleetOptions {
  count: number;
  serverUrl: string;
  token: string;
  caps: Record<string, string>;
  /**
   * 0: every board keeps the port it had last time (kept in its data dir), or gets a free one
   * the first time and when that port is taken. Otherwise board N listens on basePort + N.
   */
  basePort: number;
  host: string;
  dataDir: string;
  logLevel: LogLevel;
  heartbeatIntervalMs?: number;
  /** Boards started at once; registration of a large fleet is spread a little. */
  startConcurrency?: number;
  /** Where progress lines go (stdout for the CLI). */
  print?: (line: string) => void;
  /** Default: a logger at logLevel on stderr. */
  logger?: Logger;
  fetch?: typeof fetch;
}

export interface FleetBoard {
  index: number;
  agent: Agent;
  board: SimulatedBoard;
}

/**
 * Many simulated boards in one process: each an Agent with its own UUID, SSH port, host key,
 * and in-memory STM and DUT. For demos, benchmarks and tests of the server.
 */
export class FleetRunner {
  readonly boards: FleetBoard[] = [];
  private readonly print: (line: string) => void;

  constructor(private readonly o: FleetOptions) {
    this.print = o.print ?? ((line) => process.stdout.write(line + '\n'));
  }

  /**
   * Starts every board; resolves when each is registered or refused as deregistered (which
   * only an admin can change: waiting for it would never end).
   */
  async start(): Promise<void> {
    const started = Date.now();
    const identities = new BoardIdentityStore(this.o.dataDir);
    const logger = this.o.logger ?? new Logger(this.o.logLevel);
    let registered = 0;
    const refused = new Set<number>();
    const allRegistered = new Promise<void>((resolve) => {
      const settled = () => {
        if (registered + refused.size === this.o.count) resolve();
      };
      if (this.o.count === 0) resolve();
      for (let index = 0; index < this.o.count; index++) {
        const uuid = identities.uuid(index);
        const dir = identities.boardDir(index);
        const sdcard = join(dir, 'sdcard.img');
        if (!existsSync(sdcard)) writeFileSync(sdcard, '');
        const config = buildConfig(
          {
            uuid,
            data_dir: dir,
            log_level: this.o.logLevel === 'silent' ? 'error' : this.o.logLevel,
            server: {
              url: this.o.serverUrl,
              token: this.o.token,
              heartbeat_interval_ms: this.o.heartbeatIntervalMs ?? 30_000,
            },
            caps: { board: 'sim', ...this.o.caps },
            ssh: {
              listen: `${this.o.host}:${this.o.basePort === 0 ? (identities.sshPort(index) ?? 0) : this.o.basePort + index}`,
            },
            sdcard: { device: sdcard },
          },
          `fleet board ${index}`,
          dir,
        );
        const board = new SimulatedBoard(`board-${index}`);
        const agent = new Agent({
          config,
          stmEndpoint: board.stmEndpoint,
          consoleEndpoint: board.consoleEndpoint,
          logger,
          fetch: this.o.fetch,
          whenListenPortTaken: this.o.basePort === 0 ? 'any-port' : 'fail',
        });
        let first = true;
        agent.registration.on('registered', (response: RegisterAgentResponse) => {
          if (!first) return;
          first = false;
          registered++;
          refused.delete(index);
          this.print(
            `board ${index} registered: uuid=${uuid} ssh=${agent.controlAddr} state=${response.state || 'unknown'}`,
          );
          settled();
        });
        agent.registration.on('deregistered', () => {
          if (!first || refused.has(index)) return;
          refused.add(index);
          this.print(
            `board ${index} refused: uuid=${uuid} was deregistered by an admin; admit it on the server (POST ${workerAdmitPath(uuid)}), then restart the fleet`,
          );
          settled();
        });
        this.boards.push({ index, agent, board });
      }
    });
    const concurrency = this.o.startConcurrency ?? 16;
    for (let i = 0; i < this.boards.length; i += concurrency) {
      // allSettled: when one board fails, the others of its batch must finish starting before
      // the caller stops the fleet, or their SSH servers would outlive the stop.
      const results = await Promise.allSettled(
        this.boards.slice(i, i + concurrency).map(async (b) => {
          await b.agent.start();
          if (this.o.basePort === 0) identities.saveSshPort(b.index, b.agent.listenPort);
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    const waiting = setInterval(
      () =>
        this.print(
          `fleet: ${registered}/${this.o.count} registered; waiting for the server at ${this.o.serverUrl}`,
        ),
      10_000,
    );
    waiting.unref();
    await allRegistered;
    clearInterval(waiting);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    this.print(
      refused.size === 0
        ? `fleet: ${this.o.count} boards registered in ${seconds} s (state in ${this.o.dataDir})`
        : `fleet: ${registered} of ${this.o.count} boards registered in ${seconds} s, ${refused.size} refused as deregistered (state in ${this.o.dataDir})`,
    );
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.boards.map(async ({ agent, board }) => {
        await agent.stop();
        board.stop();
      }),
    );
  }
}
