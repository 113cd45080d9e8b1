import * as net from 'node:net';

/** Listeners kept bound ahead of need: more than the jobs one group commit usually starts. */
export const SPARE_LISTENERS = 16;

/**
 * How long a port taken for a job stays held for it. The job's tunnel opens on it as soon as
 * the job's transaction has committed; a port whose transaction never committed (rolled back,
 * or redone and given another port) is closed after this.
 */
export const HOLD_MS = 60_000;

/** A TCP listener bound on the tunnel host; `attach` says where its connections go. */
export interface BoundListener {
  readonly server: net.Server;
  readonly port: number;
  attach(onConnection: (client: net.Socket) => void): void;
}

/** Binds `server` on `host`:`port` (0: any free port); resolves to the port bound. */
export function bindListener(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** A listener whose connections are refused (destroyed) until it is attached. */
function detached(server: net.Server, port: number): BoundListener {
  let route: (client: net.Socket) => void = (client) => client.destroy();
  server.on('connection', (client: net.Socket) => route(client));
  return {
    server,
    port,
    attach: (onConnection) => (route = onConnection),
  };
}

/**
 * Tunnel listeners bound before any job needs one. A job starts inside its create's (or the
 * matcher's) transaction, which cannot wait for a bind; with a port taken from here the port
 * goes into the job's own row, and the tunnel opens on it after the commit with no write of its
 * own (before, every job start was followed by a transaction that only recorded its port).
 * When none is ready, `take` gives null and the tunnel binds and records its port as before.
 */
export class SpareTunnelListeners {
  private readonly spare: BoundListener[] = [];
  private readonly held = new Map<number, { listener: BoundListener; timer: NodeJS.Timeout }>();
  private filling = false;
  private stopped = false;
  /** When binding last failed: it is not tried again (nor reported) for a minute. */
  private failedAt = -Infinity;

  constructor(
    private readonly host: string,
    private readonly onBindError: (error: Error) => void,
    private readonly count = SPARE_LISTENERS,
    private readonly holdMs = HOLD_MS,
  ) {}

  /** The port of a spare listener, held for the job that takes it from now; null if none. */
  take(): number | null {
    const listener = this.spare.shift();
    this.fill();
    if (!listener) return null;
    const timer = setTimeout(() => this.drop(listener.port), this.holdMs);
    timer.unref();
    this.held.set(listener.port, { listener, timer });
    return listener.port;
  }

  /** The listener held on `port` (taken by `take`), now the caller's; null if none is. */
  claim(port: number | null): BoundListener | null {
    const held = port === null ? undefined : this.held.get(port);
    if (!held) return null;
    clearTimeout(held.timer);
    this.held.delete(held.listener.port);
    return held.listener;
  }

  /** Binds spare listeners in the background until there are `count`. */
  fill(): void {
    if (this.filling || this.stopped || Date.now() - this.failedAt < 60_000) return;
    this.filling = true;
    void this.bindSpares().finally(() => (this.filling = false));
  }

  async close(): Promise<void> {
    this.stopped = true;
    const all = [...this.spare.splice(0), ...[...this.held.values()].map((h) => h.listener)];
    for (const { timer } of this.held.values()) clearTimeout(timer);
    this.held.clear();
    await Promise.all(
      all.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve()))),
    );
  }

  private async bindSpares(): Promise<void> {
    while (!this.stopped && this.spare.length < this.count) {
      const server = net.createServer();
      try {
        const port = await bindListener(server, this.host, 0);
        if (this.stopped) server.close();
        else this.spare.push(detached(server, port));
      } catch (error) {
        // Binding fails for the tunnel that needs a port too, which says so to its caller.
        this.failedAt = Date.now();
        this.onBindError(error as Error);
        return;
      }
    }
  }

  private drop(port: number): void {
    const listener = this.claim(port);
    listener?.server.close();
  }
}
