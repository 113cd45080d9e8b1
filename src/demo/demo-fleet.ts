import { FleetRunner } from 'dryad-agent/fleet/fleet.runner';
import * as path from 'node:path';
import {
  BOARD_KINDS,
  BoardKind,
  FLAKY,
  FLAKY_FIRST_MS,
  FLAKY_OUTAGE_MS,
  FLAKY_PERIOD_MS,
} from './demo-lab';

/**
 * The demo's simulated boards, in this process: one dryad-agent FleetRunner per board kind
 * (each board a real agent with its own UUID, SSH server and in-memory MuxPi), and the timer
 * that makes the flaky board's STM go silent now and then.
 */
export class DemoFleet {
  private readonly runners: Array<{ kind: BoardKind; fleet: FleetRunner }> = [];
  private flakyTimers: NodeJS.Timeout[] = [];

  constructor(serverUrl: string, agentToken: string, dataDir: string) {
    for (const kind of BOARD_KINDS) {
      this.runners.push({
        kind,
        fleet: new FleetRunner({
          count: kind.count,
          serverUrl,
          token: agentToken,
          caps: kind.caps,
          basePort: 0,
          host: '127.0.0.1',
          dataDir: path.join(dataDir, kind.name),
          // The agents' own lines would drown the demo's; their failures reach the server.
          logLevel: 'silent',
          heartbeatIntervalMs: 10_000,
          print: () => undefined,
        }),
      });
    }
  }

  get size(): number {
    return BOARD_KINDS.reduce((sum, kind) => sum + kind.count, 0);
  }

  /** Starts every board and resolves once each has registered. */
  async start(progress: (line: string) => void): Promise<void> {
    await Promise.all(
      this.runners.map(async ({ kind, fleet }) => {
        await fleet.start();
        progress(`${kind.count} × ${kind.name} registered`);
      }),
    );
  }

  /** The board kind of each registered board, by its UUID. */
  kindsByUuid(): Map<string, BoardKind> {
    const kinds = new Map<string, BoardKind>();
    for (const { kind, fleet } of this.runners)
      for (const board of fleet.boards) kinds.set(board.agent.uuid, kind);
    return kinds;
  }

  /** The flaky board's UUID. */
  flakyUuid(): string {
    return this.flakyBoard().agent.uuid;
  }

  /** From now on the flaky board's STM stops answering now and then. */
  startFailures(onFailure: (uuid: string) => void): void {
    const board = this.flakyBoard();
    const outage = () => {
      board.board.stm.faults.noReply = true;
      onFailure(board.agent.uuid);
      this.flakyTimers.push(
        setTimeout(() => (board.board.stm.faults.noReply = false), FLAKY_OUTAGE_MS),
      );
    };
    this.flakyTimers.push(setTimeout(outage, FLAKY_FIRST_MS));
    this.flakyTimers.push(setInterval(outage, FLAKY_PERIOD_MS));
  }

  async stop(): Promise<void> {
    for (const timer of this.flakyTimers) clearTimeout(timer);
    this.flakyTimers = [];
    await Promise.all(this.runners.map(({ fleet }) => fleet.stop()));
  }

  private flakyBoard() {
    const runner = this.runners.find(({ kind }) => kind.name === FLAKY.kind)!;
    return runner.fleet.boards[FLAKY.index];
  }
}
